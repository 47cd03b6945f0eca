import { err, ok, type Result } from "../result.ts";
import { ANNOTATION, type Rejection } from "./annotations.ts";
import type { EnvoyProbeRoute } from "./envoy-mode.ts";
import type { PatchOp } from "./json-patch.ts";
import { asList, asObject, type JsonObject } from "./pod-json.ts";
import { PROBE_PATH_PREFIX } from "./sidecar-paths.ts";

// The model container's HTTP probes go through Envoy's probe listener: kubelet GETs
// /modelgate-probe/<kind> on the probe port, Envoy forwards exactly that to the model's
// original path without ext_authz. The model may then listen on loopback only, and no path a
// client picks skips authorization. TCP, gRPC and exec probes are left as they are.

export const PROBE_KINDS = ["livenessProbe", "readinessProbe", "startupProbe"] as const;

export interface ProbeRewrite {
  readonly ops: PatchOp[];
  readonly routes: EnvoyProbeRoute[];
}

function portNumber(port: unknown, container: JsonObject): number | undefined {
  if (typeof port === "number") return port;
  const named = asList(container["ports"])
    .map(asObject)
    .find((p) => p?.["name"] === port);
  return typeof named?.["containerPort"] === "number"
    ? named["containerPort"]
    : typeof port === "string" && /^\d+$/.test(port)
      ? Number(port)
      : undefined;
}

// A TCP or gRPC probe naming the model's port follows the port's new name (the old one now
// belongs to Envoy's container, where the kubelet would not look).
function renamedPortOps(container: JsonObject, containerPath: string, oldName: string | undefined, newName: string): PatchOp[] {
  if (oldName === undefined) return [];
  return PROBE_KINDS.flatMap((kind): PatchOp[] => {
    const probe = asObject(container[kind]);
    const handler = (["tcpSocket", "grpc"] as const).find((h) => asObject(probe?.[h])?.["port"] === oldName);
    return probe === undefined || handler === undefined
      ? []
      : [{ op: "replace", path: `${containerPath}/${kind}/${handler}/port`, value: newName }];
  });
}

export function rewriteProbes(
  container: JsonObject,
  containerPath: string,
  modelPort: number,
  probePort: number,
  portRename?: { from: string; to: string },
): Result<ProbeRewrite, Rejection> {
  const ops: PatchOp[] = portRename === undefined ? [] : renamedPortOps(container, containerPath, portRename.from, portRename.to);
  const routes: EnvoyProbeRoute[] = [];
  for (const kind of PROBE_KINDS) {
    const probe = asObject(container[kind]);
    const httpGet = asObject(probe?.["httpGet"]);
    if (probe === undefined || httpGet === undefined || portNumber(httpGet["port"], container) !== modelPort) continue;
    if (httpGet["scheme"] === "HTTPS") {
      return err({
        annotation: ANNOTATION.modelPort,
        message: `the model's ${kind} uses HTTPS on port ${modelPort}, but Envoy speaks plain HTTP to the model; serve plain HTTP on that port (Envoy terminates TLS, see ${ANNOTATION.tls})`,
      });
    }
    const name = kind.replace("Probe", "");
    const modelPath = typeof httpGet["path"] === "string" && httpGet["path"].startsWith("/") ? httpGet["path"] : "/";
    const path = `${PROBE_PATH_PREFIX}${name}`;
    routes.push({ name, path, modelPath });
    const { host: _host, scheme: _scheme, ...kept } = httpGet;
    ops.push({
      op: "replace",
      path: `${containerPath}/${kind}`,
      value: { ...probe, httpGet: { ...kept, path, port: probePort, scheme: "HTTP" } },
    });
  }
  return ok({ ops, routes });
}

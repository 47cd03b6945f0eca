import { err, ok, type Result } from "../result.ts";
import { ANNOTATION, type PodSettings, type Rejection } from "./annotations.ts";
import { asList, asObject, nameOf, type JsonObject } from "./pod-json.ts";

// Which container serves the model and on which port: from the annotations when given,
// otherwise from the pod when only one answer is possible. Guessing among several would
// protect the wrong port.

export interface ModelTarget {
  readonly containerIndex: number;
  readonly port: number;
  readonly portIndex: number | undefined; // the containerPort entry declaring it, if any
}

function declaredPorts(container: unknown): number[] {
  return asList(asObject(container)?.["ports"])
    .map((p) => asObject(p)?.["containerPort"])
    .filter((p): p is number => typeof p === "number");
}

function pickContainer(containers: readonly unknown[], settings: PodSettings): Result<number, Rejection> {
  if (settings.modelContainer !== undefined) {
    const i = containers.findIndex((c) => nameOf(c) === settings.modelContainer);
    if (i >= 0) return ok(i);
    return err({
      annotation: ANNOTATION.modelContainer,
      message: `no container named ${JSON.stringify(settings.modelContainer)} in this pod; name the container that runs the model server (one of ${containers.map(nameOf).join(", ")})`,
    });
  }
  if (containers.length === 1) return ok(0);
  const port = settings.modelPort;
  const serving = port === undefined ? [] : containers.flatMap((c, i) => (declaredPorts(c).includes(port) ? [i] : []));
  if (serving.length === 1) return ok(serving[0]!);
  return err({
    annotation: ANNOTATION.modelContainer,
    message: `the pod has ${containers.length} containers and ${port === undefined ? "no model port" : `${serving.length} declaring port ${port}`}; set ${ANNOTATION.modelContainer} to the container that runs the model server`,
  });
}

function pickPort(container: unknown, settings: PodSettings): Result<number, Rejection> {
  if (settings.modelPort !== undefined) return ok(settings.modelPort);
  const ports = declaredPorts(container);
  if (ports.length === 1) return ok(ports[0]!);
  return err({
    annotation: ANNOTATION.modelPort,
    message: `is missing and the model container declares ${ports.length === 0 ? "no port" : `ports ${ports.join(", ")}`}; set it to the port the model server listens on, e.g. "8080"`,
  });
}

export function findModelTarget(spec: JsonObject, settings: PodSettings): Result<ModelTarget, Rejection> {
  const containers = asList(spec["containers"]);
  if (containers.length === 0) return err({ annotation: "spec.containers", message: "the pod has no containers to protect" });
  const index = pickContainer(containers, settings);
  if (!index.ok) return index;
  const port = pickPort(containers[index.value], settings);
  if (!port.ok) return port;
  const portIndex = declaredPorts(containers[index.value]).indexOf(port.value);
  return ok({ containerIndex: index.value, port: port.value, portIndex: portIndex < 0 ? undefined : portIndex });
}

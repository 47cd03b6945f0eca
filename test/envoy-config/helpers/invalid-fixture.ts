import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { SidecarOptions } from "../../../src/envoy-config/sidecar-options.ts";
import { EXAMPLE_SIDECAR_OPTIONS } from "../../../src/envoy-config/example-yaml.ts";
import { renderSidecarBootstrap } from "../../../src/envoy-config/render-sidecar.ts";
import { getAt, removeAt, setAt } from "./json-patch-path.ts";

// An invalid-case fixture is the rendered sidecar config plus the one mistake, written as a
// patch so the fixture cannot drift from the renderer:
//   base: plain | tls
//   patch:
//     - { set: <path>, value: <new value> }
//     - { set: <path>, from: <path in the unpatched base> }
//     - { remove: <path> }

export const TLS_SIDECAR_OPTIONS: SidecarOptions = {
  ...EXAMPLE_SIDECAR_OPTIONS,
  tls: {
    certFile: "/etc/modelgate/tls/tls.crt",
    keyFile: "/etc/modelgate/tls/tls.key",
    caFile: "/etc/modelgate/tls/ca.crt",
    requireClientCert: true,
  },
};

interface PatchOp {
  readonly set?: string;
  readonly value?: unknown;
  readonly from?: string;
  readonly remove?: string;
}

interface Fixture {
  readonly base: "plain" | "tls";
  readonly patch: readonly PatchOp[];
}

function applyOp(doc: unknown, base: unknown, op: PatchOp): void {
  if (op.remove !== undefined) return removeAt(doc, op.remove);
  if (op.set === undefined) throw new Error(`patch op without set or remove: ${JSON.stringify(op)}`);
  setAt(doc, op.set, op.from === undefined ? op.value : structuredClone(getAt(base, op.from)));
}

export function loadInvalidFixture(file: string): unknown {
  const fixture = parse(readFileSync(file, "utf8")) as Fixture;
  const base = renderSidecarBootstrap(fixture.base === "tls" ? TLS_SIDECAR_OPTIONS : EXAMPLE_SIDECAR_OPTIONS);
  const doc = structuredClone(base);
  for (const op of fixture.patch) applyOp(doc, base, op);
  return doc;
}

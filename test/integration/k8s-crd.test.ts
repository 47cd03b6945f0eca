import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { parseAccessPolicy } from "../../src/core/policy/access-policy.ts";
import { interpretPolicy } from "../../src/adapters/k8s/policy-watch.ts";
import type { KubeHarness } from "../harness/kube-harness.ts";
import { startCluster, withoutServerFields } from "./helpers/k8s-cluster.ts";

// One source of truth: every fixture goes through the real API server (CRD schema + CEL, strict
// field validation as kubectl sends it) and through our validator. Valid ones pass both; each
// invalid one is refused by the API server with a readable message, or — for the few a schema
// cannot express — accepted there and refused by our compiler (then reported in status).

const FIXTURES = join(import.meta.dirname, "../fixtures/policies");
const read = (dir: string, file: string) => readFileSync(join(FIXTURES, dir, file), "utf8");

// Accepted by the API server, refused only by modelgate (reported in status.conditions).
const COMPILER_ONLY = new Set([
  "attribute-matcher-empty-list.yaml", // attribute values are untyped in the schema (string | list): invisible to CEL
  "attribute-matcher-not-string.yaml",
  "bad-cel-syntax.yaml", // `when` is modelgate's CEL environment, not the API server's
  "cel-compares-string-with-int.yaml", // type checking against modelgate's variable types
  "cel-condition-not-boolean.yaml",
  "cel-deny-orders-string-against-int.yaml",
  "cel-unknown-field.yaml",
  "cel-unknown-function.yaml",
  "cel-unknown-variable.yaml",
  "limit-period-too-long.yaml", // `d` units: no CEL duration() for them
  "route-double-model.yaml", // route pattern grammar
  "burst-refill-too-long.yaml", // arithmetic across burst, requests and per
  "penalty-box-max-block-shorter-than-block.yaml", // comparing durations with `d` units
]);
// Refused by a strict YAML reader (kubectl's) before anything reaches the API server.
const YAML_ONLY = new Set(["yaml-alias-bomb.yaml", "yaml-duplicate-key.yaml", "yaml-syntax-error.yaml"]);
// Mistakes of a whole policy file: there is no document to send to the API server.
const FILE_ONLY = new Set(["empty-file.yaml", "only-separators.yaml"]);
// Expected words in the API server's message, so a rejection for the wrong reason fails.
const MESSAGE: Readonly<Record<string, RegExp>> = {
  "anonymous-with-subject.yaml": /anonymous callers have no subject/,
  "deny-rule-with-limits.yaml": /Deny rule cannot have limits/,
  "duplicate-rule-names.yaml": /rule names must be unique/,
  "duplicate-limit-names.yaml": /limit names must be unique within spec.limits/,
  "duplicate-rule-limit-names.yaml": /limit names must be unique within a rule/,
  "spiffe-with-jwt-method.yaml": /spiffe only matches mTLS/,
  "limit-period-zero.yaml": /per must be greater than zero/,
  "misspelled-subjects-key.yaml": /unknown field "spec.rules\[0\].subject"/,
  "unknown-top-level-key.yaml": /unknown field "labels"/,
  "misspelled-effect.yaml": /Unsupported value: "Alow"/,
  "invalid-policy-name.yaml": /metadata.name/,
  "wrong-kind.yaml": /must be AccessPolicy|kind/,
  "anomaly-unknown-action.yaml": /Unsupported value: "deny"/,
  "anomaly-unknown-rule.yaml": /unknown field "spec.anomaly.theft"/,
};

let harness: KubeHarness;
beforeAll(async () => {
  harness = await startCluster();
}, 120_000);
afterAll(async () => harness?.stop());

function documents(text: string): Record<string, unknown>[] {
  return parseAllDocuments(text, { uniqueKeys: true }).flatMap((d) => {
    if (d.errors.length > 0) throw new Error(d.errors[0]?.message);
    const js = d.toJS({ maxAliasCount: 100 }) as unknown;
    if (js === null || js === undefined) return [];
    // `kubectl apply` sends each item of a kind: List on its own.
    const list = js as { kind?: unknown; items?: unknown };
    // TypeScript 7 (tsc) needs the last assertion; the TypeScript 6 API that typescript-eslint
    // reads types with accepts {} as a record and calls it unnecessary.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    return list.kind === "List" && Array.isArray(list.items) ? (list.items as Record<string, unknown>[]) : [js as Record<string, unknown>];
  });
}

async function create(doc: Record<string, unknown>) {
  const sent = withoutServerFields(doc);
  const ns = typeof sent.metadata["namespace"] === "string" ? sent.metadata["namespace"] : "ml-prod";
  return harness.request("POST", `/apis/modelgate.io/v1alpha1/namespaces/${ns}/accesspolicies?fieldValidation=Strict&dryRun=All`, sent);
}

describe("the CRD and our validator agree on every fixture", () => {
  it.each(readdirSync(join(FIXTURES, "valid")))("valid/%s is accepted by the API server and by modelgate", async (file) => {
    const docs = documents(read("valid", file));
    expect(docs.length).toBeGreaterThan(0);
    for (const doc of docs) {
      const reply = await create(doc);
      expect(reply.status, JSON.stringify(reply.body).slice(0, 400)).toBe(201);
      expect(parseAccessPolicy(doc).ok).toBe(true);
    }
  });

  it.each(readdirSync(join(FIXTURES, "invalid")).filter((f) => !YAML_ONLY.has(f) && !FILE_ONLY.has(f)))(
    "invalid/%s is refused",
    async (file) => {
      const [doc] = documents(read("invalid", file));
      const reply = await create(doc ?? {});
      const message = (reply.body as { message?: string }).message ?? "";
      expect(interpretPolicy(doc).issues.length).toBeGreaterThan(0);
      if (COMPILER_ONLY.has(file)) {
        expect(reply.status, message).toBe(201);
        return;
      }
      expect(reply.status, message).toBeGreaterThanOrEqual(400);
      expect(reply.status).toBeLessThan(500);
      expect(message.length).toBeGreaterThan(10);
      const expected = MESSAGE[file];
      if (expected !== undefined) expect(message).toMatch(expected);
    },
  );

  it.each([...YAML_ONLY])("invalid/%s never reaches the API server: a strict YAML reader refuses it", (file) => {
    expect(() => documents(read("invalid", file))).toThrow();
  });

  it.each([...FILE_ONLY])("invalid/%s holds no document at all: only a policy file can be this mistake", (file) => {
    expect(documents(read("invalid", file))).toEqual([]);
  });
});

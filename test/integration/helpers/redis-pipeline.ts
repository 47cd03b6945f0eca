import { randomBytes } from "node:crypto";
import { buildCheckRequest } from "../../../src/adapters/grpc/build-check-request.ts";
import { checkPorts } from "../../../src/core/check-ports.ts";
import { decide } from "../../../src/core/decide.ts";
import type { Decision } from "../../../src/core/decision.ts";
import { mintApiKey } from "../../../src/core/identity/api-key-format.ts";
import { recordForKey } from "../../../src/core/identity/api-key-record.ts";
import { apiKeySource } from "../../../src/core/identity/api-key-source.ts";
import { buildKeyIndex } from "../../../src/core/identity/key-store.ts";
import type { Limiter } from "../../../src/core/limit/limiter-port.ts";
import { compilePolicies } from "../../../src/core/policy/compile.ts";
import { parsePolicyYaml } from "../../../src/core/policy/load-yaml.ts";

// The real decision pipeline (normalize → identify → authorize → limit) over in-memory policies
// and freshly minted API keys, with whatever limiter the test passes.

export interface Pipeline {
  readonly keys: Readonly<Record<string, string>>;
  predict(who: string): Promise<Decision>;
}

export function pipeline(
  policyYaml: string,
  people: Readonly<Record<string, Readonly<Record<string, string>>>>,
  limiter: Limiter,
): Pipeline {
  const parsed = parsePolicyYaml(policyYaml, "policies.yaml");
  if (parsed.issues.length > 0) throw new Error(JSON.stringify(parsed.issues));
  const index = compilePolicies(parsed.policies).index;
  const keys: Record<string, string> = {};
  const records = Object.entries(people).map(([name, attributes]) => {
    const { key } = mintApiKey((n) => new Uint8Array(randomBytes(n)));
    keys[name] = key;
    const record = recordForKey(key, { subject: `${name}@example.com`, attributes }, Date.now());
    if (!record.ok) throw new Error(JSON.stringify(record.error));
    return record.value;
  });
  const keyIndex = buildKeyIndex(records).index;
  let ids = 0;
  const ports = checkPorts({
    deployment: { profile: "kserve-v1", defaultModel: "fraud-detector", environment: "test" },
    sources: [apiKeySource({ keys: () => keyIndex })],
    policies: () => index,
    limiter,
    sanctions: false,
    now: Date.now,
    newId: () => `d-${++ids}`,
  });
  return {
    keys,
    predict: async (who) =>
      decide(
        buildCheckRequest({ method: "POST", path: "/v1/models/fraud-detector:predict", headers: { "x-api-key": keys[who] ?? "" } }),
        ports,
      ),
  };
}

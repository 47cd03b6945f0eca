import { describe, expect, it } from "vitest";
import { checkPorts, type CheckPorts } from "../../src/core/check-ports.ts";
import { decide } from "../../src/core/decide.ts";
import type { Decision } from "../../src/core/decision.ts";
import { apiKeySource } from "../../src/core/identity/api-key-source.ts";
import { buildKeyIndex } from "../../src/core/identity/key-store.ts";
import { recordForKey } from "../../src/core/identity/api-key-record.ts";
import type { Limiter, LimitVerdict } from "../../src/core/limit/limiter-port.ts";
import { compilePolicies } from "../../src/core/policy/compile.ts";
import { parsePolicyYaml } from "../../src/core/policy/load-yaml.ts";
import { respond } from "../../src/core/respond.ts";
import { LocalLimiter } from "../../src/adapters/limiter/local-limiter.ts";
import { buildCheckRequest } from "../../src/adapters/grpc/build-check-request.ts";
import { toCheckResponse } from "../../src/adapters/grpc/check-response.ts";
import { mintFrom, T0 } from "./identity/helpers.ts";

// Decision 8: policy and rule names never reach the client. Many policy sets with distinctive,
// generated names go through decide() and respond() for every kind of answer (allowed with rate
// limit headers, Deny rule, no rule, no credential, rate-limited, penalty box, anomaly block,
// limiter unavailable, deadline); no header, body or CheckResponse field may contain a name.
// The decision itself must name the policy (so the test knows the name was in play).

const SETS = 40;
const member = mintFrom("member");
const stranger = mintFrom("stranger");

// A deterministic generator (no Math.random in tests): names that occur nowhere else.
function namesFor(seed: number): { policy: string; allow: string; deny: string; open: string } {
  let x = (seed * 2654435761) >>> 0;
  const next = () => ((x = (x * 1103515245 + 12345) >>> 0), x.toString(36));
  return { policy: `pz${next()}q`, allow: `ra${next()}x`, deny: `rd${next()}y`, open: `ro${next()}w` };
}

function policyYaml(n: ReturnType<typeof namesFor>): string {
  return `
apiVersion: modelgate.io/v1alpha1
kind: AccessPolicy
metadata: { name: ${n.policy}, namespace: default }
spec:
  models: ["fraud-*"]
  routes:
    - { method: POST, path: /retrain, action: train }
  penaltyBox: { violations: 2, within: 1m, block: 1m, maxBlock: 1h }
  rules:
    - name: ${n.allow}
      effect: Allow
      subjects: [{ attributes: { team: members } }]
      actions: [predict, train]
      limits: [{ name: per-minute, requests: 1, per: 1m }]
    - name: ${n.open}
      effect: Allow
      subjects: [{}]
      actions: [read]
    - name: ${n.deny}
      effect: Deny
      subjects: [{}]
      actions: [train]
`;
}

function portsFor(n: ReturnType<typeof namesFor>, limiter: Limiter): CheckPorts {
  const parsed = parsePolicyYaml(policyYaml(n), "policies.yaml");
  expect(parsed.issues).toEqual([]);
  const index = compilePolicies(parsed.policies).index;
  const records = [
    recordForKey(member.key, { subject: "m", attributes: { team: "members" } }, T0),
    recordForKey(stranger.key, { subject: "s", attributes: { team: "other" } }, T0),
  ];
  const keys = buildKeyIndex(records.map((r) => (r.ok ? r.value : expect.fail(JSON.stringify(r))))).index;
  return checkPorts({
    deployment: { profile: "kserve-v1", defaultModel: "fraud-detector", environment: "prod" },
    sources: [apiKeySource({ keys: () => keys })],
    policies: () => index,
    limiter,
    sanctions: false,
    now: () => T0,
    newId: () => "decision-id",
  });
}

const call = (key: string | undefined, action: "predict" | "train" | "health") => {
  const headers = key === undefined ? {} : { "x-api-key": key };
  if (action === "health") return buildCheckRequest({ method: "GET", path: "/v1/models/fraud-detector", headers });
  return buildCheckRequest({ method: "POST", path: action === "predict" ? "/v1/models/fraud-detector:predict" : "/retrain", headers });
};

const fixed = (verdict: LimitVerdict): Limiter => ({ charge: () => Promise.resolve(verdict) });
const STATE = [{ name: "per-minute", quota: 1, windowSeconds: 60, remaining: 0, resetSeconds: 30 }];

// Every kind of answer for one policy set, with the reason it must have.
async function everyAnswer(n: ReturnType<typeof namesFor>): Promise<Decision[]> {
  const local = portsFor(n, new LocalLimiter({ now: () => T0 }));
  const decisions = [
    await decide(call(member.key, "predict"), local), // allowed, RateLimit headers
    await decide(call(member.key, "predict"), local), // rate_limited (1 a minute)
    await decide(call(member.key, "predict"), local), // penalty_box (the second violation blocks)
    await decide(call(member.key, "train"), local), // policy_denied by the Deny rule
    await decide(call(stranger.key, "predict"), local), // policy_no_match
    await decide(call(undefined, "predict"), local), // credential_missing
    await decide(call(undefined, "health"), local), // allowed, anonymous
    await decide(
      call(member.key, "predict"),
      portsFor(n, fixed({ kind: "blocked", by: "anomaly", states: STATE, retryAfterSeconds: 60, mode: "redis" })),
    ),
    await decide(call(member.key, "predict"), portsFor(n, fixed({ kind: "unavailable", detail: "Redis did not answer" }))),
    await decide(
      call(member.key, "predict"),
      portsFor(n, fixed({ kind: "limited", states: STATE, violated: ["per-minute"], retryAfterSeconds: 30, mode: "redis" })),
    ),
    await decide(call(member.key, "predict"), local, { aborted: true }), // deadline_exceeded
  ];
  return decisions;
}

describe("policy and rule names stay out of every client-visible answer", () => {
  it("covers every kind of answer", async () => {
    const reasons = (await everyAnswer(namesFor(1))).map((d) => d.reason);
    expect(reasons).toEqual([
      "allowed",
      "rate_limited",
      "penalty_box",
      "policy_denied",
      "policy_no_match",
      "credential_missing",
      "allowed",
      "anomaly_blocked",
      "limiter_unavailable",
      "rate_limited",
      "deadline_exceeded",
    ]);
  });

  it.each(Array.from({ length: SETS }, (_, i) => i + 1))("policy set %i", async (seed) => {
    const n = namesFor(seed);
    const secrets = [n.policy, n.allow, n.deny, n.open];
    const decisions = await everyAnswer(n);
    expect(decisions.some((d) => d.policy?.name === n.policy)).toBe(true);
    for (const decision of decisions) {
      const visible = JSON.stringify(respond(decision)) + JSON.stringify(toCheckResponse(respond(decision), decision.id, decision.reason));
      for (const secret of secrets) expect(visible, `${decision.reason} names ${secret}`).not.toContain(secret);
    }
  });
});

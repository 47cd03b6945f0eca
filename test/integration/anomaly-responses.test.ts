import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCheckRequest } from "../../src/adapters/grpc/build-check-request.ts";
import { connectAuthz, headerMap, reasonOf, type AuthzClient } from "./helpers/authz-client.ts";
import { startFixtureServer, type FixtureServer } from "./helpers/fixture-server.ts";
import { eventually } from "./helpers/k8s-cluster.ts";
import { startRedis, type RedisProcess } from "./helpers/redis-server.ts";
import { FIXTURE_KEYS, FRAUD_POLICY } from "./fixtures.ts";

// Anomaly responses end to end: two replicas (two real servers) share one Redis for the limiter
// and the detector. One identity sweeps models on replica A; the reconnaissance rule fires there,
// and the response it chose — a block, or lowered limits — is enforced by replica B too.

interface Replica {
  readonly fixture: FixtureServer;
  readonly client: AuthzClient;
  key(name: keyof typeof FIXTURE_KEYS): string;
}

async function startReplica(redisUrl: string, reconnaissance: Record<string, unknown>, policyYaml = FRAUD_POLICY): Promise<Replica> {
  const fixture = await startFixtureServer({
    policyYaml,
    keys: FIXTURE_KEYS,
    config: {
      limiter: { redis: { url: redisUrl } },
      anomaly: { enabled: true, redis: { url: redisUrl }, rules: { reconnaissance: { window: "10m", models: 4, ...reconnaissance } } },
    },
  });
  return { fixture, client: connectAuthz(fixture.tcpTarget), key: (name) => fixture.keys[name] as string };
}

async function stopReplica(replica: Replica | undefined): Promise<void> {
  replica?.client.close();
  await replica?.fixture.stop().catch(() => undefined);
}

const predict = (key: string, model = "fraud-detector") =>
  buildCheckRequest({ method: "POST", path: `/v2/models/${model}/infer`, headers: { "x-api-key": key } });
const read = (key: string, model = "fraud-detector") =>
  buildCheckRequest({ method: "GET", path: `/v2/models/${model}`, headers: { "x-api-key": key } });

// Five distinct models in the window: over the threshold of four. Each is denied by policy
// (the policy covers fraud-detector only) and still observed.
async function sweep(replica: Replica, request: (key: string, model: string) => unknown, key: string): Promise<void> {
  for (let i = 0; i < 5; i++) expect(reasonOf(await replica.client.check(request(key, `model-${i}`)))).toBe("policy_no_match");
}

function auditRecords(replica: Replica): { type: string; reason?: string; rule?: string; response?: { action: string } }[] {
  const dir = join(replica.fixture.dir, "audit");
  return readdirSync(dir)
    .flatMap((f) => readFileSync(join(dir, f), "utf8").trim().split("\n"))
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as { type: string; reason?: string });
}

describe("anomaly response `block`", () => {
  let redis: RedisProcess;
  let a: Replica;
  let b: Replica;

  beforeAll(async () => {
    redis = await startRedis();
    a = await startReplica(redis.url, { response: "block", period: "2s" });
    b = await startReplica(redis.url, { response: "block", period: "2s" });
  });

  afterAll(async () => {
    await stopReplica(a);
    await stopReplica(b);
    await redis?.stop();
  });

  it("stops every request of the swept identity on the other replica, limited or not, until the period ends", async () => {
    // The analyst's reads of fraud-detector have no limit: only the sanction can stop them.
    expect(reasonOf(await b.client.check(read(b.key("analyst"))))).toBe("allowed");
    await sweep(a, read, a.key("analyst"));
    const blocked = await eventually(async () => {
      const r = await b.client.check(read(b.key("analyst")));
      if (reasonOf(r) !== "anomaly_blocked") throw new Error(`still ${reasonOf(r)}`);
      return r;
    }, 3000);
    const blockedAt = Date.now();
    expect(blocked.denied_response?.status?.code).toBe("TooManyRequests");
    const retryAfter = Number(headerMap(blocked.denied_response?.headers).get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
    // The raising replica enforces it too, and another identity is untouched.
    expect(reasonOf(await a.client.check(read(a.key("analyst"))))).toBe("anomaly_blocked");
    expect(reasonOf(await b.client.check(predict(b.key("bulk"))))).toBe("allowed");
    // The block ends with its period (2 s from the alert).
    await new Promise((r) => setTimeout(r, Math.max(0, 2100 - (Date.now() - blockedAt))));
    await eventually(async () => {
      const reason = reasonOf(await b.client.check(read(b.key("analyst"))));
      if (reason !== "allowed") throw new Error(`still ${reason}`);
    }, 1000);
  });

  it("records the alert with its response once, and the blocked decisions with their reason", async () => {
    await a.fixture.server.stop(); // flushes the audit buffers
    await b.fixture.server.stop();
    const records = [...auditRecords(a), ...auditRecords(b)];
    const alerts = records.filter((r) => r.type === "anomaly");
    expect(alerts.map((r) => [r.rule, r.response?.action])).toEqual([["reconnaissance", "block"]]);
    expect(records.filter((r) => r.reason === "anomaly_blocked").length).toBeGreaterThanOrEqual(2);
  });
});

describe("anomaly response `lower-limits`", () => {
  let redis: RedisProcess;
  let a: Replica;
  let b: Replica;

  beforeAll(async () => {
    redis = await startRedis();
    a = await startReplica(redis.url, { response: "lower-limits", limitFactor: 0.4, period: "1m" });
    b = await startReplica(redis.url, { response: "lower-limits", limitFactor: 0.4, period: "1m" });
  });

  afterAll(async () => {
    await stopReplica(a);
    await stopReplica(b);
    await redis?.stop();
  });

  it("cuts the identity's own limit by the factor on every replica; other identities keep theirs", async () => {
    await sweep(a, predict, a.key("scientist"));
    await eventually(async () => {
      if ((await redis.admin().keys("mg:sx:*")).length !== 1) throw new Error("no sanction yet");
    }, 3000);
    // `minute` is 5 per minute with a burst of 5; × 0.4 leaves 2.
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await b.client.check(predict(b.key("scientist"))));
    expect(answers.map(reasonOf)).toEqual(["allowed", "allowed", "rate_limited"]);
    const first = headerMap(answers[0]?.ok_response?.response_headers_to_add);
    expect(first.get("ratelimit-policy")).toBe('"minute";q=2;w=60');
    expect(first.get("ratelimit")).toBe('"minute";r=1;t=30');
    // The bulk identity's limit is as written (100000 per second).
    const bulk = headerMap((await b.client.check(predict(b.key("bulk")))).ok_response?.response_headers_to_add);
    expect(bulk.get("ratelimit-policy")).toBe('"second";q=100000;w=1');
  });
});

// Every model is governed and readable by the analytics team, so the sweep is allowed and the
// decision that tips the rule names this policy — whose spec.anomaly chooses `block` over the
// rule's configured `alert`.
const OPEN_READS_POLICY = `
apiVersion: modelgate.io/v1alpha1
kind: AccessPolicy
metadata: { name: open-reads, namespace: default }
spec:
  models: ["*"]
  anomaly: { reconnaissance: block }
  rules:
    - name: analytics-read
      effect: Allow
      subjects: [{ attributes: { team: analytics } }]
      actions: [read]
`;

describe("an AccessPolicy's own response (spec.anomaly)", () => {
  let redis: RedisProcess;
  let replica: Replica;

  beforeAll(async () => {
    redis = await startRedis();
    replica = await startReplica(redis.url, { response: "alert", period: "1m" }, OPEN_READS_POLICY);
  });

  afterAll(async () => {
    await stopReplica(replica);
    await redis?.stop();
  });

  it("wins over the rule's configured response", async () => {
    const key = replica.key("analyst");
    // The fourth distinct model reaches the threshold; the alert is raised after that answer.
    for (let i = 0; i < 4; i++) expect(reasonOf(await replica.client.check(read(key, `model-${i}`)))).toBe("allowed");
    await eventually(async () => {
      const reason = reasonOf(await replica.client.check(read(key)));
      if (reason !== "anomaly_blocked") throw new Error(`still ${reason}`);
    }, 3000);
    await replica.fixture.server.stop();
    const alerts = auditRecords(replica).filter((r) => r.type === "anomaly");
    expect(alerts.map((r) => [r.rule, r.response?.action])).toEqual([["reconnaissance", "block"]]);
  });
});

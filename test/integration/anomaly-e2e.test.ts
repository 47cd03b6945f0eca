import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCheckRequest } from "../../src/adapters/grpc/build-check-request.ts";
import { connectAuthz, type AuthzClient } from "./helpers/authz-client.ts";
import { startFixtureServer, type FixtureServer } from "./helpers/fixture-server.ts";
import { startRedis, type RedisProcess } from "./helpers/redis-server.ts";
import { FIXTURE_KEYS, FRAUD_POLICY } from "./fixtures.ts";

// Anomaly detection wired into the real server from YAML: one key sweeping many models raises
// exactly one `reconnaissance` alert, written into the audit chain, and nothing for a caller
// that stays on its model.

let redis: RedisProcess;
let fixture: FixtureServer;
let client: AuthzClient;

beforeAll(async () => {
  redis = await startRedis();
  fixture = await startFixtureServer({
    policyYaml: FRAUD_POLICY,
    keys: FIXTURE_KEYS,
    config: { anomaly: { enabled: true, redis: { url: redis.url }, rules: { reconnaissance: { window: "10m", models: 4 } } } },
  });
  client = connectAuthz(fixture.tcpTarget);
  const key = (name: string) => fixture.keys[name] as string;
  for (let i = 0; i < 6; i++) {
    await client.check(
      buildCheckRequest({ method: "POST", path: `/v2/models/model-${i}/infer`, headers: { "x-api-key": key("analyst") } }),
    );
    await client.check(
      buildCheckRequest({ method: "POST", path: "/v2/models/fraud-detector/infer", headers: { "x-api-key": key("bulk") } }),
    );
  }
  await new Promise((r) => setTimeout(r, 300)); // detection runs after the answer
  client.close();
  await fixture.server.stop();
});

afterAll(async () => {
  await fixture?.stop().catch(() => undefined);
  await redis?.stop();
});

describe("anomaly detection in the real server", () => {
  it("records one reconnaissance alert for the sweeping key and none for the steady one", () => {
    const dir = join(fixture.dir, "audit");
    const records = readdirSync(dir)
      .flatMap((f) => readFileSync(join(dir, f), "utf8").trim().split("\n"))
      .map((l) => JSON.parse(l) as { type: string; rule?: string; identity?: { subject: string } });
    const alerts = records.filter((r) => r.type === "anomaly");
    expect(alerts.map((a) => [a.rule, a.identity?.subject])).toEqual([["reconnaissance", "ari@example.com"]]);
  });
});

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { service as healthService } from "grpc-health-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { buildCheckRequest } from "../../src/adapters/grpc/build-check-request.ts";
import { connectAuthz, reasonOf, type AuthzClient } from "./helpers/authz-client.ts";
import { startFixtureServer, type FixtureServer } from "./helpers/fixture-server.ts";
import { freePort } from "../harness/managed-process.ts";
import { redisArgs, REDIS_SERVER, startRedis, waitForPing, type RedisProcess } from "./helpers/redis-server.ts";
import { FIXTURE_KEYS, FRAUD_POLICY } from "./fixtures.ts";

// /readyz of a real server while it is not ready — policies not loaded, the rate limiter's Redis
// not reached, the audit log refusing records — and once the missing part arrives.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const infer = (key: string) =>
  buildCheckRequest({ method: "POST", path: "/v2/models/fraud-detector/infer", headers: { "x-api-key": key } });

async function readyz(fixture: FixtureServer): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${fixture.server.opsPort}/readyz`);
  return `${response.status} ${(await response.text()).trim()}`;
}

async function readyGauge(fixture: FixtureServer): Promise<string | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${fixture.server.opsPort}/metrics`)).text();
  return /^modelgate_ready (\d+)$/m.exec(text)?.[1];
}

// What grpc.health.v1.Health says for the Authorization service.
async function grpcHealth(fixture: FixtureServer): Promise<string> {
  const Health = grpc.makeClientConstructor(healthService, "grpc.health.v1.Health");
  const health = new Health(fixture.tcpTarget, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
    check(req: { service: string }, cb: (e: grpc.ServiceError | null, r: { status: string }) => void): void;
  };
  try {
    const reply = await new Promise<{ status: string }>((resolve, reject) =>
      health.check({ service: "envoy.service.auth.v3.Authorization" }, (e, r) => (e ? reject(e) : resolve(r))),
    );
    return reply.status;
  } finally {
    health.close();
  }
}

async function until(fixture: FixtureServer, wanted: string, withinMs = 15_000): Promise<string> {
  const stop = Date.now() + withinMs;
  let last = await readyz(fixture);
  while (last !== wanted && Date.now() < stop) {
    await sleep(50);
    last = await readyz(fixture);
  }
  return last;
}

let fixture: FixtureServer | undefined;
let client: AuthzClient | undefined;
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  client?.close();
  await fixture?.stop();
  for (const cleanup of cleanups.splice(0)) await cleanup();
  fixture = undefined;
});

describe("/readyz while not ready", () => {
  it("before policies load (an API server that does not answer): 503, and checks are not_ready", async () => {
    const port = await freePort();
    fixture = await startFixtureServer({
      policyYaml: "",
      keys: {},
      config: {
        policySource: "kubernetes",
        policies: undefined,
        apiKeys: undefined,
        kubernetes: { kubeconfig: "kubeconfig.yaml", statusWriter: { enabled: false } },
      },
      files: {
        "kubeconfig.yaml": `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: x, context: { cluster: c, user: u, namespace: default } }]
current-context: x
`,
      },
    });
    expect(await readyz(fixture)).toBe("503 policies not loaded");
    client = connectAuthz(fixture.tcpTarget);
    expect(reasonOf(await client.check(infer("mgk_anything")))).toBe("not_ready");
  });

  it("while the rate limiter has not reached Redis: 503 and limited requests denied, then ready once Redis starts", async () => {
    const port = await freePort();
    const redisDir = mkdtempSync(join(tmpdir(), "modelgate-redis-"));
    cleanups.push(() => rmSync(redisDir, { recursive: true, force: true }));
    fixture = await startFixtureServer({
      policyYaml: FRAUD_POLICY,
      keys: FIXTURE_KEYS,
      config: { limiter: { redis: { url: `redis://127.0.0.1:${port}` } } },
    });
    expect(await readyz(fixture)).toBe("503 the rate limiter has not reached Redis yet");
    expect(await readyGauge(fixture)).toBe("0");
    expect(await grpcHealth(fixture)).toBe("NOT_SERVING");
    expect(fixture.logs.some((l) => l.includes("Redis not reached"))).toBe(true);
    client = connectAuthz(fixture.tcpTarget);
    const key = fixture.keys["scientist"] as string;
    expect(reasonOf(await client.check(infer(key)))).toBe("limiter_unavailable");
    const server = spawn(REDIS_SERVER, redisArgs(port, redisDir), { stdio: "ignore" });
    cleanups.push(() => void server.kill("SIGKILL"));
    await waitForPing(port);
    expect(await until(fixture, "200 ready")).toBe("200 ready");
    expect(await readyGauge(fixture)).toBe("1");
    await vi.waitFor(async () => expect(await grpcHealth(fixture as FixtureServer)).toBe("SERVING"), { timeout: 10_000, interval: 100 });
    expect(reasonOf(await client.check(infer(key)))).toBe("allowed");
  });

  it("while the audit log is not accepting records (its Redis hangs): 503, and ready again after", async () => {
    const redis: RedisProcess = await startRedis();
    cleanups.push(() => redis.stop());
    fixture = await startFixtureServer({
      policyYaml: FRAUD_POLICY,
      keys: FIXTURE_KEYS,
      config: { audit: { sink: "redis", redis: { url: redis.url }, writeTimeoutMs: 100 } },
    });
    expect(await readyz(fixture)).toBe("200 ready");
    client = connectAuthz(fixture.tcpTarget);
    redis.freeze();
    let during: string;
    try {
      await client.check(infer(fixture.keys["bulk"] as string));
      during = await until(fixture, "503 the audit log is not accepting records");
    } finally {
      redis.thaw();
    }
    expect(during).toBe("503 the audit log is not accepting records");
    expect(await until(fixture, "200 ready")).toBe("200 ready");
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sanctionResponder } from "../../src/adapters/anomaly/sanction-responder.ts";
import { redisSanctions } from "../../src/adapters/limiter/redis-sanctions.ts";
import { runSanctions, type SanctionsIo } from "../../src/cli/sanctions-command.ts";
import { LocalLimiter } from "../../src/adapters/limiter/local-limiter.ts";
import { connect } from "../integration/helpers/redis-limiter-kit.ts";
import type { RedisConnection } from "../../src/adapters/limiter/redis-connection.ts";
import { startRedis, type RedisProcess } from "../integration/helpers/redis-server.ts";

// `modelgate sanctions show|lift` against a real Redis holding a sanction written the way the
// anomaly detector writes it.

let redis: RedisProcess;
let connection: RedisConnection;

beforeAll(async () => {
  redis = await startRedis();
  ({ connection } = await connect(redis.url));
});

afterAll(async () => {
  await connection?.close();
  await redis?.stop();
});

async function run(
  args: readonly string[],
  env: Record<string, string> = { MODELGATE_REDIS_URL: redis.url },
): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: SanctionsIo = { stdout: (s) => void (out += s), stderr: (s) => void (err += s), env, cwd: process.cwd(), now: Date.now };
  const code = await runSanctions(args, io);
  return { code, out, err };
}

const eve = {
  method: "apikey" as const,
  subject: "eve@example.com",
  issuer: "modelgate-keys",
  keyId: "kevexxxxxxxx",
  groups: [],
  attributes: {},
};
const EVE = ["--method", "apikey", "--issuer", "modelgate-keys", "--subject", "eve@example.com"];

describe("modelgate sanctions", () => {
  it("shows a block and lowered limits, lifts them, and then finds none", async () => {
    const responder = sanctionResponder(redisSanctions(connection, new LocalLimiter({ now: Date.now })));
    const target = { rule: "reconnaissance" as const, identity: eve, policy: undefined, decisionId: "d-1" };
    await responder.block(target, 600_000);
    await responder.lowerLimits(target, 0.25, 3_600_000);
    const shown = await run(["show", ...EVE]);
    expect(shown.code).toBe(0);
    expect(shown.out).toMatch(
      /^sanction: mg:sx:\{[A-Za-z0-9_-]{22}\}\n {2}blocked until \d{4}-\d\d-\d\dT[\d:.]+Z\n {2}limits × 0\.25 until \d{4}-/,
    );
    expect(await run(["lift", ...EVE])).toMatchObject({ code: 0, out: expect.stringMatching(/^lifted: mg:sx:/) });
    expect(await run(["show", ...EVE])).toMatchObject({ code: 0, out: expect.stringMatching(/^no sanction: /) });
    expect(await run(["lift", ...EVE])).toMatchObject({ code: 0, out: expect.stringMatching(/^no sanction: /) });
  });

  it("another issuer is another identity", async () => {
    await sanctionResponder(redisSanctions(connection, new LocalLimiter({ now: Date.now }))).block(
      { rule: "volume", identity: eve, policy: undefined, decisionId: "d-2" },
      60_000,
    );
    expect((await run(["show", "--method", "apikey", "--issuer", "other", "--subject", "eve@example.com"])).out).toMatch(/^no sanction/);
    expect((await run(["show", ...EVE])).out).toMatch(/blocked until/);
  });

  it.each([
    [["show"], "--method must be one of apikey, jwt, mtls"],
    [["show", "--method", "anonymous", "--subject", "x"], "--method must be one of"],
    [["show", "--method", "jwt"], "--subject is required"],
    [["forget", ...EVE], "say show or lift"],
    [["show", ...EVE, "--frobnicate"], "Unknown option '--frobnicate'"],
  ])("refuses %j with exit 2", async (args, message) => {
    const { code, err } = await run(args);
    expect(code).toBe(2);
    expect(err).toContain(message);
  });

  it("says so when no Redis limiter is configured", async () => {
    const { code, err } = await run(["show", ...EVE], {});
    expect(code).toBe(2);
    expect(err).toContain("no Redis limiter is configured");
  });
});

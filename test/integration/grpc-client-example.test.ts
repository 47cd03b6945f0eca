import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFixtureServer, type FixtureServer } from "./helpers/fixture-server.ts";
import { FIXTURE_KEYS, FRAUD_POLICY } from "./fixtures.ts";

// Issue 11 item 16: the README's grpc-js example is a real file; run it as a user would, against
// a real server, so it stays correct.

const root = resolve(import.meta.dirname, "../..");
const run = promisify(execFile);
let fixture: FixtureServer;

beforeAll(async () => {
  fixture = await startFixtureServer({ policyYaml: FRAUD_POLICY, keys: FIXTURE_KEYS });
});

afterAll(async () => {
  await fixture?.stop();
});

interface Printed {
  status?: { code?: number };
  ok_response?: { headers?: { header?: { key: string; value: string } }[] };
  denied_response?: { status?: { code?: string } };
}

async function example(...args: string[]): Promise<Printed> {
  const { stdout } = await run(process.execPath, ["deploy/examples/grpc-client.ts", fixture.tcpTarget, ...args], {
    cwd: root,
    timeout: 30_000,
  });
  return JSON.parse(stdout) as Printed;
}

describe("deploy/examples/grpc-client.ts", () => {
  it.each<[string, keyof typeof FIXTURE_KEYS | undefined, number, string | undefined]>([
    ["the data scientist is allowed", "scientist", 0, undefined],
    ["the analyst may not predict", "analyst", 7, "Forbidden"],
    ["no key", undefined, 16, "Unauthorized"],
  ])("%s", async (_name, who, code, http) => {
    const printed = await example(...(who === undefined ? [] : [fixture.keys[who] as string]));
    expect(printed.status?.code ?? 0).toBe(code);
    if (http !== undefined) expect(printed.denied_response?.status?.code).toBe(http);
    else expect(printed.ok_response?.headers?.map((h) => h.header?.key)).toContain("x-modelgate-subject");
  });
});

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCheckRequest } from "../../src/adapters/grpc/build-check-request.ts";
import { runAuditVerify } from "../../src/cli/audit-verify-command.ts";
import { connectAuthz, reasonOf } from "./helpers/authz-client.ts";
import { spawnServe, writeServeDir, type ServeDir, type ServeProcess } from "./helpers/serve-process.ts";
import { FIXTURE_KEYS, FRAUD_POLICY } from "./fixtures.ts";
import { freePort } from "../harness/managed-process.ts";

// Several `modelgate serve` processes on one port (`reusePort`, README "More than one core"):
// each binds it, the kernel hands every new connection to one of them, each decides what it is
// sent and writes its own audit chain, which verifies on its own.

const CONNECTIONS = 32;

const infer = (key: string) =>
  buildCheckRequest({ method: "POST", path: "/v2/models/fraud-detector/infer", headers: { "x-api-key": key } });

const auditDir = (dir: ServeDir, process: number) => join(dir.dir, `audit-${process}`);

function allowedRecords(directory: string): number {
  return readdirSync(directory)
    .flatMap((file) => readFileSync(join(directory, file), "utf8").split("\n"))
    .filter((line) => line.includes('"decision":"allow"')).length;
}

async function verified(directory: string): Promise<{ code: number; output: string }> {
  const out: string[] = [];
  const io = { stdout: (s: string) => void out.push(s), stderr: (s: string) => void out.push(s), cwd: directory, stdin: process.stdin };
  return { code: await runAuditVerify([directory], io), output: out.join("") };
}

describe("two processes on one port with reusePort", () => {
  let dir: ServeDir;
  let port: number;
  const servers: ServeProcess[] = [];

  beforeAll(async () => {
    port = await freePort();
    dir = writeServeDir(FRAUD_POLICY, FIXTURE_KEYS, { listen: `127.0.0.1:${port}`, reusePort: true });
    for (const n of [0, 1]) {
      servers.push(await spawnServe(dir.configPath, { MODELGATE_AUDIT_FILE: join(auditDir(dir, n), "audit.jsonl") }));
    }
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    dir?.remove();
  });

  it("both bind the configured port, and connections reach both; each chain holds its own decisions and verifies", async () => {
    expect(servers.map((s) => s.grpcPort)).toEqual([port, port]);
    // A client per connection (a local subchannel pool each), one allowed Check on each.
    const clients = Array.from({ length: CONNECTIONS }, () => connectAuthz(`127.0.0.1:${port}`, { "grpc.use_local_subchannel_pool": 1 }));
    try {
      const answers = await Promise.all(clients.map((c) => c.check(infer(dir.keys["bulk"] as string))));
      expect(answers.map(reasonOf)).toEqual(Array(CONNECTIONS).fill("allowed"));
    } finally {
      for (const c of clients) c.close();
    }
    await Promise.all(servers.map((s) => s.stop())); // flushes each chain
    const perProcess = [0, 1].map((n) => allowedRecords(auditDir(dir, n)));
    // 32 connections all on one process would be a 1 in 2^31 hash outcome.
    expect(
      perProcess.every((count) => count > 0),
      `records per process ${perProcess.join(", ")}`,
    ).toBe(true);
    expect(perProcess[0]! + perProcess[1]!).toBe(CONNECTIONS);
    for (const n of [0, 1]) {
      const result = await verified(auditDir(dir, n));
      expect(result.code, result.output).toBe(0);
    }
  });
});

describe("without reusePort", () => {
  it("a second process on a port already taken stops at start with the reason", async () => {
    const port = await freePort();
    const dir = writeServeDir(FRAUD_POLICY, FIXTURE_KEYS, { listen: `127.0.0.1:${port}` });
    const first = await spawnServe(dir.configPath);
    try {
      await expect(spawnServe(dir.configPath)).rejects.toThrow(/exited early with 1/);
    } finally {
      await first.stop();
      dir.remove();
    }
  });
});

import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCheckRequest } from "../../src/adapters/grpc/build-check-request.ts";
import { runAuditVerify } from "../../src/cli/audit-verify-command.ts";
import { connectAuthz, headerMap, type AuthzClient } from "./helpers/authz-client.ts";
import { startFixtureServer, type FixtureServer } from "./helpers/fixture-server.ts";
import { FIXTURE_KEYS, FRAUD_POLICY } from "./fixtures.ts";

// The real server writing its audit chain to files, then `modelgate audit verify` over them:
// every answered decision has exactly one record, no credential is ever written, and the
// signed chain verifies.

let fixture: FixtureServer;
let client: AuthzClient;
let publicKey: string;
const answered: string[] = [];

beforeAll(async () => {
  const keyDir = execFileSync("mktemp", ["-d"]).toString().trim();
  execFileSync("openssl", ["genpkey", "-algorithm", "ed25519", "-out", join(keyDir, "signing.pem")]);
  execFileSync("openssl", ["pkey", "-in", join(keyDir, "signing.pem"), "-pubout", "-out", join(keyDir, "signing.pub.pem")]);
  writeFileSync(join(keyDir, "hmac.key"), "an-audit-hmac-key-that-is-long-enough-for-tests");
  publicKey = join(keyDir, "signing.pub.pem");
  fixture = await startFixtureServer({
    policyYaml: FRAUD_POLICY,
    keys: FIXTURE_KEYS,
    config: {
      audit: {
        sink: "file",
        file: { path: "audit/audit.jsonl", maxBytes: 65_536 },
        signingKeyFile: join(keyDir, "signing.pem"),
        hmacKeyFile: join(keyDir, "hmac.key"),
        checkpoint: { everyRecords: 25, everySeconds: 60 },
      },
    },
  });
  client = connectAuthz(fixture.tcpTarget);
  const requests = [
    buildCheckRequest({
      method: "POST",
      path: "/v2/models/fraud-detector/infer",
      headers: { "x-api-key": fixture.keys["scientist"] as string },
    }),
    buildCheckRequest({
      method: "POST",
      path: "/v2/models/fraud-detector/infer",
      headers: { "x-api-key": fixture.keys["analyst"] as string },
    }),
    buildCheckRequest({ method: "POST", path: "/v2/models/fraud-detector/infer\nINJECTED", body: '{"secret":"do-not-log"}' }),
  ];
  for (let i = 0; i < 120; i++) {
    const r = await client.check(requests[i % 3]);
    const headers = headerMap(r.ok_response?.headers ?? r.denied_response?.headers);
    const decisionId = headers.get("x-modelgate-decision-id");
    if (decisionId !== undefined) answered.push(decisionId);
  }
  client.close();
  await fixture.server.stop();
});

afterAll(async () => {
  await fixture?.stop().catch(() => undefined);
});

function auditText(): string {
  const dir = join(fixture.dir, "audit");
  return readdirSync(dir)
    .sort()
    .map((f) => readFileSync(join(dir, f), "utf8"))
    .join("");
}

describe("the audit trail of a real server", () => {
  it("holds one decision record per answered check, rotating across files", () => {
    const records = auditText()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const decisions = records.filter((r) => r["type"] === "decision").map((r) => r["decision_id"]);
    expect(answered.length).toBe(120);
    expect(decisions).toEqual(answered);
    expect(readdirSync(join(fixture.dir, "audit")).length).toBeGreaterThan(1);
  });

  it("never writes a credential, a body or a raw path", () => {
    const text = auditText();
    for (const key of Object.values(fixture.keys)) expect(text).not.toContain(key);
    expect(text).not.toContain("do-not-log");
    expect(text).not.toContain("INJECTED");
  });

  it("verifies with the public key, and names the first record after an edit", async () => {
    const out: string[] = [];
    const io = { stdout: (s: string) => void out.push(s), stderr: (s: string) => void out.push(s), cwd: fixture.dir, stdin: process.stdin };
    expect(await runAuditVerify(["--public-key", publicKey, "--require-checkpoint-at-end", "audit"], io)).toBe(0);
    const dir = join(fixture.dir, "audit");
    const first = join(dir, readdirSync(dir).sort()[0] as string);
    const lines = readFileSync(first, "utf8").split("\n");
    const line = lines[1] as string;
    lines[1] = line.includes('"decision":"allow"')
      ? line.replace('"decision":"allow"', '"decision":"deny"')
      : line.replace('"decision":"deny"', '"decision":"allow"');
    expect(lines[1]).not.toBe(line);
    writeFileSync(first, lines.join("\n"));
    out.length = 0;
    expect(await runAuditVerify(["--public-key", publicKey, "audit"], io)).toBe(1);
    expect(out.join("")).toMatch(/first bad record: .*:2 seq 1/);
  });
});

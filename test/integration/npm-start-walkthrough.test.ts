import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCheckRequest } from "../../src/adapters/grpc/build-check-request.ts";
import { connectAuthz, headerMap, type AuthzClient } from "./helpers/authz-client.ts";
import { runAuditVerify } from "../../src/cli/audit-verify-command.ts";
import { PassThrough } from "node:stream";

// The README walk-through, against the real `modelgate serve` process on the embedded
// example configuration (deploy/examples), exactly as `npm start` runs it.

const root = resolve(import.meta.dirname, "../..");
const key = (name: string) => readFileSync(resolve(root, "deploy/examples", name), "utf8").trim();

let child: ChildProcess;
let client: AuthzClient;
const logLines: Record<string, unknown>[] = [];
const stdoutLines: string[] = []; // audit records and log lines, as `npm start` prints them
let stdoutClosed: Promise<void>;

function waitForServing(proc: ChildProcess): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const lines = createInterface({ input: proc.stdout as NodeJS.ReadableStream });
    stdoutClosed = new Promise((done) => lines.once("close", () => done()));
    lines.on("line", (line) => {
      stdoutLines.push(line);
      const entry = JSON.parse(line) as Record<string, unknown>;
      logLines.push(entry);
      if (entry["msg"] === "serving") resolvePort(entry["grpc_port"] as number);
    });
    proc.once("exit", (code) => reject(new Error(`modelgate exited early with ${code}`)));
  });
}

beforeAll(async () => {
  child = spawn(process.execPath, ["src/cli/modelgate.ts", "serve", "--config", "deploy/examples/modelgate.yaml"], {
    cwd: root,
    env: { ...process.env, MODELGATE_LISTEN: "127.0.0.1:0", MODELGATE_METRICS_LISTEN: "127.0.0.1:0" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await waitForServing(child);
  client = connectAuthz(`127.0.0.1:${port}`);
});

afterAll(() => {
  client?.close();
  if (child.exitCode === null) child.kill("SIGKILL");
});

const infer = (headers: Record<string, string> = {}) =>
  buildCheckRequest({
    method: "POST",
    path: "/v2/models/fraud-detector/infer",
    headers: { "content-type": "application/json", ...headers },
  });

describe("npm start walk-through", () => {
  it("warns that it runs on embedded defaults", () => {
    expect(logLines.some((l) => l["level"] === "warn" && String(l["msg"]).includes("in-process limiter"))).toBe(true);
  });

  it("no credential → status 16 with HTTP 401", async () => {
    const r = await client.check(infer());
    expect(r.status?.code).toBe(16);
    expect(r.denied_response?.status?.code).toBe("Unauthorized");
  });

  it.each([
    ["malformed", "not-a-key"],
    ["unknown", "mgk_aaaaaaaaaaaa_" + "A".repeat(38)],
  ])("a %s key → 401", async (_kind, value) => {
    const r = await client.check(infer({ "x-api-key": value }));
    expect(r.status?.code).toBe(16);
  });

  it("the analyst key on POST /v2/models/fraud-detector/infer → status 7 with 403", async () => {
    const r = await client.check(infer({ "x-api-key": key("try-key-analyst.txt") }));
    expect(r.status?.code).toBe(7);
    expect(r.denied_response?.status?.code).toBe("Forbidden");
    // The denial's log line names the key by its id (its last use), never the key itself.
    const keyId = key("try-key-analyst.txt").slice(4, 16);
    await new Promise((done) => setTimeout(done, 100));
    const line = logLines.find((l) => l["msg"] === "decision" && l["key_id"] === keyId);
    expect(line?.["reason"]).toBe("policy_no_match");
    expect(JSON.stringify(logLines)).not.toContain(key("try-key-analyst.txt"));
  });

  it("the data-scientist key → status 0 with identity headers, and the sixth request within a minute → 429", async () => {
    const k = key("try-key-data-scientist.txt");
    const first = await client.check(infer({ authorization: `Bearer ${k}` }));
    expect(first.status?.code).toBe(0);
    const headers = headerMap(first.ok_response?.headers);
    expect(headers.get("x-modelgate-subject")).toBe("dana@example.com");
    expect(headers.get("x-modelgate-auth-method")).toBe("apikey");
    expect(headers.has("x-modelgate-decision-id")).toBe(true);
    for (let i = 2; i <= 5; i++) expect((await client.check(infer({ "x-api-key": k }))).status?.code).toBe(0);
    const sixth = await client.check(infer({ "x-api-key": k }));
    expect(sixth.denied_response?.status?.code).toBe("TooManyRequests");
    expect(headerMap(sixth.denied_response?.headers).get("retry-after")).toMatch(/^\d+$/);
  });

  it("stops gracefully on SIGTERM", async () => {
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  // Issue 11 item 12: records mixed with logs (also what `kubectl logs` gives) verify as is.
  it("its stdout, logs and audit records mixed, verifies with `modelgate audit verify -`", async () => {
    await stdoutClosed;
    const stdin = new PassThrough();
    stdin.end(["> modelgate@0.1.0 start", "> node src/cli/modelgate.ts serve", "", ...stdoutLines, ""].join("\n"));
    let out = "";
    const code = await runAuditVerify(["--require-checkpoint-at-end", "-"], {
      stdout: (t) => void (out += t),
      stderr: (t) => void (out += t),
      cwd: root,
      stdin,
    });
    expect(out).toMatch(/^OK: \d+ records in 1 chain verify\n/);
    expect(out).toMatch(/ (\d+) non-audit lines skipped\n/);
    expect(code).toBe(0);
  });
});

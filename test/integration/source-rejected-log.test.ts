import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/parse-config.ts";
import { createJsonLogger } from "../../src/adapters/log/json-logger.ts";
import { StartupError, startServer } from "../../src/wiring/start-server.ts";
import { startFixtureServer, type FixtureServer } from "./helpers/fixture-server.ts";
import { FIXTURE_KEYS, FRAUD_POLICY } from "./fixtures.ts";

// Issue 11 item 16: "the last good version keeps serving" only when there is one. At start-up
// an invalid file stops the server, and the log must not promise a version that never loaded.

const INVALID_POLICY = "apiVersion: modelgate.io/v1alpha1\nkind: AccessPolicy\nmetadata: { name: x }\nspec: { models: [] }\n";
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0)) await step();
});

const rejections = (logs: readonly string[]) =>
  logs
    .map((l) => JSON.parse(l) as { level: string; msg: string })
    .filter((l) => l.msg.startsWith("policies rejected"))
    .map((l) => l.msg);

describe("a rejected policy file is logged truthfully", () => {
  it("at start-up: nothing was loaded before, and the server does not start", async () => {
    const dir = mkdtempSync(join(tmpdir(), "modelgate-reject-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, "policies.yaml"), INVALID_POLICY);
    const config = parseConfig(
      {
        listen: "127.0.0.1:0",
        metricsListen: "127.0.0.1:0",
        policies: { files: ["policies.yaml"] },
        watchFiles: false,
        audit: { sink: "file", file: { path: join(dir, "audit.jsonl") } },
      },
      {},
      dir,
    );
    if (!config.ok) throw new Error(JSON.stringify(config.error));
    const logs: string[] = [];
    await expect(
      startServer(
        config.value,
        createJsonLogger("debug", (line) => void logs.push(line)),
      ),
    ).rejects.toBeInstanceOf(StartupError);
    expect(rejections(logs)).toEqual(["policies rejected; nothing of it was loaded before"]);
  });

  it("on a reload: the last good version keeps serving", async () => {
    const fixture: FixtureServer = await startFixtureServer({ policyYaml: FRAUD_POLICY, keys: FIXTURE_KEYS });
    cleanup.push(() => fixture.stop());
    writeFileSync(join(fixture.dir, "policies.yaml"), INVALID_POLICY);
    expect(fixture.server.engine.loadAll()).toBe(false);
    expect(rejections(fixture.logs)).toEqual(["policies rejected; the last good version keeps serving"]);
  });
});

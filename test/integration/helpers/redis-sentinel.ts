import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../harness/managed-process.ts";
import { REDIS_SERVER, waitForPing } from "./redis-server.ts";

// A real Redis Sentinel watching one master, on a free loopback port. Sentinel rewrites its
// config file, so it gets one of its own in a temporary directory.

export interface SentinelProcess {
  readonly port: number;
  url(masterName: string): string;
  stop(): Promise<void>;
}

export async function startSentinel(masterPort: number, masterName: string): Promise<SentinelProcess> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "modelgate-sentinel-"));
  const config = join(dir, "sentinel.conf");
  writeFileSync(
    config,
    [
      `port ${port}`,
      "bind 127.0.0.1",
      `dir ${dir}`,
      `sentinel monitor ${masterName} 127.0.0.1 ${masterPort} 1`,
      `sentinel down-after-milliseconds ${masterName} 5000`,
      "",
    ].join("\n"),
  );
  const child = spawn(REDIS_SERVER, [config, "--sentinel"], { stdio: "ignore" });
  await waitForPing(port);
  return {
    port,
    url: (name) => `redis+sentinel://127.0.0.1:${port}/${name}`,
    stop: async () => {
      if (child.exitCode === null) await new Promise<void>((resolve) => (child.once("exit", () => resolve()), child.kill("SIGKILL")));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

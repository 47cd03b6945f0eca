import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { freePort } from "../test/harness/managed-process.ts";

// A throwaway redis-server for a benchmark run: no persistence, its files in `dir`, under
// `prefix` (e.g. ["taskset", "-c", "0"]); resolves once it answers PING.
export async function startBenchRedis(dir: string, prefix: readonly string[] = []): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const [command, ...rest] = [...prefix, "redis-server"];
  const child = spawn(command, [...rest, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], {
    stdio: "ignore",
  });
  for (let i = 0; i < 100; i += 1) {
    if (
      spawnSync("redis-cli", ["-p", String(port), "ping"])
        .stdout?.toString()
        .trim() === "PONG"
    )
      return { url: `redis://127.0.0.1:${port}`, child };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new Error("redis-server did not start");
}

// The CPU a redis-server has used so far (main thread and its helpers, user + system), in µs, by
// its own INFO: a bench's Redis is local, so redis-cli reaches it.
export function redisCpuMicros(url: string): number {
  const info = spawnSync("redis-cli", ["-u", url, "INFO", "cpu"]).stdout?.toString() ?? "";
  const seconds = (name: string) => Number(new RegExp(`^${name}:([0-9.]+)`, "m").exec(info)?.[1] ?? Number.NaN);
  return (seconds("used_cpu_user") + seconds("used_cpu_sys")) * 1e6;
}

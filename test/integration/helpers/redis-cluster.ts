import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { freePort } from "../../harness/managed-process.ts";
import { REDIS_SERVER, redisArgs, waitForPing } from "./redis-server.ts";

// A real three-primary Redis Cluster on free loopback ports (no replicas), built the way an
// operator would: three `--cluster-enabled yes` servers joined by `redis-cli --cluster create`.

const run = promisify(execFile);

export interface RedisClusterProcess {
  readonly ports: readonly number[];
  readonly url: string; // redis+cluster://…
  stop(): Promise<void>;
}

async function clusterOk(port: number): Promise<boolean> {
  const client = new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 1, lazyConnect: true });
  client.on("error", () => undefined);
  try {
    await client.connect();
    const info = String(await client.call("CLUSTER", "INFO"));
    return info.includes("cluster_state:ok");
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function waitForClusterOk(ports: readonly number[], withinMs = 20_000): Promise<void> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    const states = await Promise.all(ports.map(clusterOk));
    if (states.every(Boolean)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`cluster on ports ${ports.join(",")} did not reach cluster_state:ok`);
}

export async function startRedisCluster(): Promise<RedisClusterProcess> {
  const dir = mkdtempSync(join(tmpdir(), "modelgate-redis-cluster-"));
  const ports: number[] = [];
  const children: ChildProcess[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const extra = ["--cluster-enabled", "yes", "--cluster-config-file", `nodes-${port}.conf`, "--cluster-node-timeout", "5000"];
    children.push(spawn(REDIS_SERVER, redisArgs(port, dir, extra), { stdio: "ignore" }));
    ports.push(port);
  }
  const stop = async () => {
    await Promise.all(
      children.map(
        (c) => new Promise<void>((resolve) => (c.exitCode !== null ? resolve() : (c.once("exit", () => resolve()), c.kill("SIGKILL")))),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(ports.map((p) => waitForPing(p)));
    await run("redis-cli", ["--cluster", "create", ...ports.map((p) => `127.0.0.1:${p}`), "--cluster-replicas", "0", "--cluster-yes"]);
    await waitForClusterOk(ports);
  } catch (e) {
    await stop();
    throw e;
  }
  return { ports, url: `redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(",")}`, stop };
}

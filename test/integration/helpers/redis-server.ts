import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort } from "../../harness/managed-process.ts";

// A real redis-server on a free loopback port, with no persistence, for one test file.
// redis-server cannot pick its own port (`--port 0` disables TCP), so a port is reserved by
// binding a throwaway socket to port 0 first. Kill, freeze (SIGSTOP), thaw and restart on the
// same port are there for the failure tests.

export const REDIS_SERVER = "/usr/bin/redis-server";

// One raw PING over TCP: true when the server answers +PONG.
export function pingOnce(port: number, timeoutMs = 250): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
  });
}

export async function waitForPing(port: number, withinMs = 10_000): Promise<void> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    if (await pingOnce(port)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`redis on port ${port} did not answer PING within ${withinMs} ms`);
}

export interface RedisProcess {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  pid(): number;
  admin(): Redis; // a plain client for inspecting keys (closed by stop())
  kill(): Promise<void>; // SIGKILL, as a crash
  freeze(): void; // SIGSTOP: connections stay open, nothing answers
  thaw(): void; // SIGCONT
  restart(): Promise<void>; // a fresh, empty server on the same port
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

export function redisArgs(port: number, dir: string, extra: readonly string[] = []): string[] {
  return [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    dir,
    "--loglevel",
    "warning",
    ...extra,
  ];
}

export async function startRedis(extra: readonly string[] = []): Promise<RedisProcess> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "modelgate-redis-"));
  const launch = async () => {
    const child = spawn(REDIS_SERVER, redisArgs(port, dir, extra), { stdio: "ignore" });
    await waitForPing(port);
    return child;
  };
  let child = await launch();
  const admins: Redis[] = [];
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    pid: () => child.pid ?? -1,
    admin: () => {
      const client = new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 1 });
      client.on("error", () => undefined);
      admins.push(client);
      return client;
    },
    kill: async () => {
      child.kill("SIGKILL");
      await exited(child);
    },
    freeze: () => void child.kill("SIGSTOP"),
    thaw: () => void child.kill("SIGCONT"),
    restart: async () => {
      child.kill("SIGKILL");
      await exited(child);
      child = await launch();
    },
    stop: async () => {
      for (const client of admins) client.disconnect();
      child.kill("SIGCONT");
      child.kill("SIGKILL");
      await exited(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

// A child process of the harness: output to a log file (shown when it fails to start), a
// readiness probe, and a stop that escalates to SIGKILL so no test leaves it behind.

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  exited(): boolean;
  pause(): void; // SIGSTOP: sockets stay open, nothing is answered
  resume(): void;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function startProcess(name: string, command: string, args: readonly string[], logFile: string): ManagedProcess {
  const fd = openSync(logFile, "a");
  const child: ChildProcess = spawn(command, [...args], { stdio: ["ignore", fd, fd] });
  closeSync(fd);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.once("exit", () => {
    exited = true;
  });
  return {
    name,
    pid: child.pid ?? -1,
    logFile,
    exited: () => exited,
    pause: () => void child.kill("SIGSTOP"),
    resume: () => void child.kill("SIGCONT"),
    stop: async () => {
      if (exited) return;
      child.kill("SIGCONT"); // a paused process cannot act on SIGTERM
      child.kill("SIGTERM");
      const killed = await Promise.race([exit.then(() => true), sleep(10_000).then(() => false)]);
      if (!killed) {
        child.kill("SIGKILL");
        await exit;
      }
    },
  };
}

// Polls `probe` until it answers true; fails with the tail of the process log.
export async function waitUntil(proc: ManagedProcess, what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exited()) throw new Error(`${proc.name} exited before ${what}:\n${logTail(proc.logFile)}`);
    if (await probe().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${proc.name} not ${what} after ${timeoutMs} ms:\n${logTail(proc.logFile)}`);
}

export function logTail(file: string, lines = 40): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";

// Starts a server process that logs a JSON line {"msg":"serving","grpc_port":N} when ready.
export interface Spawned {
  readonly port: number;
  readonly child: ChildProcess;
  // CPU the server has used so far (all its threads), in µs; undefined where /proc is missing.
  cpuMicros(): number | undefined;
  // Resident set size now, in bytes; undefined where /proc is missing.
  rssBytes(): number | undefined;
  // V8 heap bytes allocated so far: the sum of `allocated=` over the --trace-gc-nvp lines the
  // server printed (bytes allocated since the previous GC, per GC). Bytes allocated after the
  // last GC are not yet counted, which a window of thousands of GCs does not notice. Undefined
  // unless started with `gcTrace`.
  allocatedBytes(): number | undefined;
  stop(): Promise<void>;
}

// utime and stime, fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 per second on
// Linux); the fields are counted after the command name, which may itself hold spaces.
export function processCpuMicros(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

export function processRssBytes(pid: number | undefined): number | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8")
      .split("\n")
      .find((l) => l.startsWith("VmRSS:"));
    return line === undefined ? undefined : Number(line.split(/\s+/)[1]) * 1024;
  } catch {
    return undefined;
  }
}

const ALLOCATED = / allocated=(\d+) /;

export interface SpawnOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly gcTrace?: boolean;
  // A command prefix such as ["taskset", "-c", "0"] (pins the server to one core).
  readonly prefix?: readonly string[];
  // Called with every --trace-gc-nvp line the server prints (with `gcTrace`).
  readonly onGcLine?: (line: string) => void;
  // Working directory (where --heapsnapshot-signal writes its snapshots).
  readonly cwd?: string;
}

export function spawnServer(args: readonly string[], options: SpawnOptions = {}): Promise<Spawned> {
  const nodeArgs = [...(options.gcTrace === true ? ["--trace-gc-nvp"] : []), ...args];
  const [command, ...rest] = [...(options.prefix ?? []), process.execPath, ...nodeArgs];
  const child = spawn(command as string, rest, { env: options.env ?? process.env, cwd: options.cwd, stdio: ["ignore", "pipe", "inherit"] });
  let allocated = 0;
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      const gc = ALLOCATED.exec(line);
      if (gc !== null) {
        allocated += Number(gc[1]);
        options.onGcLine?.(line);
        return;
      }
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      if (entry["msg"] !== "serving") return;
      resolve({
        port: entry["grpc_port"] as number,
        child,
        cpuMicros: () => processCpuMicros(child.pid),
        rssBytes: () => processRssBytes(child.pid),
        allocatedBytes: () => (options.gcTrace === true ? allocated : undefined),
        stop: () => stopChild(child),
      });
    });
    child.once("exit", (code) => reject(new Error(`server exited early with ${code}`)));
  });
}

// How a child ended — its signal or exit code — or undefined while it runs.
export function howEnded(child: ChildProcess): string | undefined {
  const ended = child.signalCode ?? child.exitCode;
  return ended === null ? undefined : String(ended);
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (howEnded(child) !== undefined) return Promise.resolve();
  return new Promise((done) => {
    child.once("exit", () => done());
    child.kill("SIGTERM");
  });
}

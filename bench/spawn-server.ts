import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";

// Starts a server process that logs a JSON line {"msg":"serving","grpc_port":N} when ready.
export interface Spawned {
  readonly port: number;
  readonly child: ChildProcess;
  // CPU the server has used so far (all its threads), in µs; undefined where /proc is missing.
  cpuMicros(): number | undefined;
  stop(): Promise<void>;
}

// utime and stime, fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 per second on
// Linux); the fields are counted after the command name, which may itself hold spaces.
function processCpuMicros(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

export function spawnServer(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Spawned> {
  const child = spawn(process.execPath, [...args], { env, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
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
        stop: () =>
          new Promise((done) => {
            child.once("exit", () => done());
            child.kill("SIGTERM");
          }),
      });
    });
    child.once("exit", (code) => reject(new Error(`server exited early with ${code}`)));
  });
}

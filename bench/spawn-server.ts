import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

// Starts a server process that logs a JSON line {"msg":"serving","grpc_port":N} when ready.
export interface Spawned {
  readonly port: number;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

export function spawnServer(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Spawned> {
  const child = spawn(process.execPath, [...args], { env, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
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

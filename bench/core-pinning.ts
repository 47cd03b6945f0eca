import { spawnSync } from "node:child_process";
import { cpus } from "node:os";

// Where the benchmarks run their processes on a machine of two or more cores with `taskset`:
// the server (and what it needs, such as Redis) on core 0, the load generator on core 1, so
// neither takes the other's time. Without them, no pinning.
export interface CorePinning {
  readonly pinned: boolean;
  readonly server: readonly string[]; // command prefix
  readonly ghz: readonly string[];
}

export function corePinning(): CorePinning {
  const pinned = spawnSync("taskset", ["-c", "0", "true"]).status === 0 && cpus().length >= 2;
  return pinned ? { pinned, server: ["taskset", "-c", "0"], ghz: ["taskset", "-c", "1"] } : { pinned, server: [], ghz: [] };
}

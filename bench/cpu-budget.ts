import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

// A CPU budget for one process through the kernel's CFS bandwidth control — what a Kubernetes
// CPU limit is (`limits.cpu: 300m` is a quota of 30 ms per 100 ms period). Needs root and the cgroup
// cpu controller (cgroup v1's `cpu` hierarchy or cgroup v2's `cpu.max`).

export const CFS_PERIOD_US = 100_000; // the kernel's and Kubernetes' default CFS period
const V1 = "/sys/fs/cgroup/cpu";
const V2 = "/sys/fs/cgroup";

export interface CpuBudget {
  readonly cpus: number;
  // A command prefix that moves the command into the budget before it starts (so its threads are born inside).
  readonly prefix: readonly string[];
  // CFS periods so far in which the budget ran out (the process was throttled).
  throttledPeriods(): number;
  remove(): void;
}

function v2HasCpu(): boolean {
  const controllers = join(V2, "cgroup.controllers");
  return existsSync(controllers) && readFileSync(controllers, "utf8").split(/\s+/).includes("cpu");
}

function throttledOf(dir: string): number {
  const found = /^nr_throttled (\d+)$/m.exec(readFileSync(join(dir, "cpu.stat"), "utf8"));
  return Number(found?.[1] ?? Number.NaN);
}

// Creates the budget's cgroup, or returns why it cannot.
export function cpuBudget(name: string, cpus: number): CpuBudget | string {
  const quota = Math.round(cpus * CFS_PERIOD_US);
  try {
    let dir: string;
    if (v2HasCpu()) {
      writeFileSync(join(V2, "cgroup.subtree_control"), "+cpu");
      dir = join(V2, name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "cpu.max"), `${quota} ${CFS_PERIOD_US}`);
    } else if (existsSync(join(V1, "cpu.cfs_quota_us"))) {
      dir = join(V1, name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "cpu.cfs_period_us"), String(CFS_PERIOD_US));
      writeFileSync(join(dir, "cpu.cfs_quota_us"), String(quota));
    } else {
      return "no cgroup cpu controller (neither /sys/fs/cgroup/cpu nor cgroup v2's cpu.max)";
    }
    return {
      cpus,
      prefix: ["sh", "-c", 'echo $$ > "$0" && exec "$@"', join(dir, "cgroup.procs")],
      throttledPeriods: () => throttledOf(dir),
      remove: () => rmdirSync(dir),
    };
  } catch (error) {
    return `cannot set a CPU budget (needs root and a writable cgroup cpu controller): ${(error as Error).message}`;
  }
}

import { readFileSync } from "node:fs";
import { loadavg } from "node:os";

// What else the machine did while a benchmark ran: the share of CPU time the hypervisor took
// (steal, from /proc/stat's aggregate "cpu" line) and the 1-minute load average at both ends. A
// run whose every system is slower than the last without any change of code shows up here as
// steal, or as load from other work; when neither moved, the swing is not this machine's own
// scheduling (a neighbour on the host sharing caches and memory bandwidth shows as neither).

export interface MachineSnapshot {
  readonly steal: number; // clock ticks, all CPUs
  readonly total: number; // clock ticks, all CPUs
  readonly load1: number;
}

export function machineSnapshot(): MachineSnapshot {
  // user nice system idle iowait irq softirq steal, then guest and guest_nice (already in user and nice)
  const ticks = (/^cpu\s+(.*)$/m.exec(readStat())?.[1] ?? "")
    .trim()
    .split(/\s+/)
    .slice(0, 8)
    .map((n) => Number(n) || 0);
  return { steal: ticks[7] ?? 0, total: ticks.reduce((a, b) => a + b, 0), load1: loadavg()[0] ?? 0 };
}

function readStat(): string {
  try {
    return readFileSync("/proc/stat", "utf8");
  } catch {
    return "";
  }
}

export function describeMachineLoad(before: MachineSnapshot, after: MachineSnapshot): string {
  const total = after.total - before.total;
  const steal =
    total > 0
      ? `${(((after.steal - before.steal) / total) * 100).toFixed(1)} % of CPU time stolen by the hypervisor`
      : "steal not available";
  return `Machine during the run: ${steal}; load average ${before.load1.toFixed(2)} at the start, ${after.load1.toFixed(2)} at the end.`;
}

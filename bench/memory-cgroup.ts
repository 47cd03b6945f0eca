import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

// A memory cgroup limited to `mb` MiB, as a pod's memory limit, and a command prefix that starts
// a process in it (before `prefix`, e.g. the core pinning). Needs a writable cgroup v1 memory
// controller or cgroup v2 (root). Node sizes its heap, and V8 its young generation, from the
// cgroup's limit; the kernel's OOM killer ends the process when its memory passes it.
export interface MemoryCgroup {
  readonly prefix: string[];
  // Anonymous memory (the process's RSS without file pages) charged to the cgroup now, in bytes.
  anonBytes(): number;
  remove(): void;
}

export function memoryCgroup(mb: number, prefix: readonly string[], name: string): MemoryCgroup {
  const v1 = "/sys/fs/cgroup/memory";
  const isV1 = existsSync(v1);
  const dir = isV1 ? join(v1, name) : join("/sys/fs/cgroup", name);
  if (!existsSync(dir)) mkdirSync(dir);
  writeFileSync(join(dir, isV1 ? "memory.limit_in_bytes" : "memory.max"), String(mb * 2 ** 20));
  const anonLine = new RegExp(`^${isV1 ? "total_rss" : "anon"} (\\d+)$`, "m");
  return {
    prefix: ["sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', dir, ...prefix],
    anonBytes: () => Number(anonLine.exec(readFileSync(join(dir, "memory.stat"), "utf8"))?.[1] ?? 0),
    remove: () => rmdirSync(dir),
  };
}

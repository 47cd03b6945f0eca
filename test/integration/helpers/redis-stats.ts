import type { Redis } from "ioredis";

// Server-side counters read from INFO, to prove what the limiter sent without trusting it.

function stat(info: string, line: string, field: string): number {
  const found = info.split(/\r?\n/).find((l) => l.startsWith(`${line}:`));
  const m = found === undefined ? null : new RegExp(`(?:^|[:,])${field}=(\\d+)`).exec(found);
  return m === null ? 0 : Number(m[1]);
}

// EVALSHA + EVAL calls so far: how many script round trips reached Redis.
export async function scriptCalls(admin: Redis): Promise<number> {
  const info = await admin.info("commandstats");
  return stat(info, "cmdstat_evalsha", "calls") + stat(info, "cmdstat_eval", "calls");
}

export async function errorCount(admin: Redis, prefix: string): Promise<number> {
  return stat(await admin.info("errorstats"), `errorstat_${prefix}`, "count");
}

// Every key matching `pattern` with its PTTL (-1: no TTL, -2: gone).
export async function keyTtls(admin: Redis, pattern = "mg:*"): Promise<Map<string, number>> {
  const ttls = new Map<string, number>();
  let cursor = "0";
  do {
    const [next, keys] = await admin.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    cursor = next;
    for (const key of keys) ttls.set(key, await admin.pttl(key));
  } while (cursor !== "0");
  return ttls;
}

import type { Sanction } from "../../core/limit/sanction.ts";
import type { RedisConnection } from "./redis-connection.ts";

// What an operator reads and removes by hand (`modelgate sanctions`): the sanction hash the
// limiter script reads (sanction-lua.ts), decoded to the core's Sanction on the 1/1024-ms grid.

export async function readSanction(connection: Pick<RedisConnection, "client">, key: string): Promise<Sanction | undefined> {
  const fields = await connection.client.hgetall(key);
  if (Object.keys(fields).length === 0) return undefined;
  const number = (name: string, fallback: number) => {
    const value = Number(fields[name]);
    return Number.isSafeInteger(value) ? value : fallback;
  };
  return { blockedUntil: number("b", 0), factorPermille: number("f", 1000), factorUntil: number("u", 0) };
}

// true when there was a sanction to remove.
export async function liftSanction(connection: Pick<RedisConnection, "client">, key: string): Promise<boolean> {
  return (await connection.client.del(key)) === 1;
}

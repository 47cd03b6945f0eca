import { GRID } from "../../core/limit/gcra.ts";
import type { SanctionOrder, SanctionPort } from "../../core/limit/sanction.ts";
import type { LocalLimiter } from "./local-limiter.ts";
import type { RedisConnection } from "./redis-connection.ts";

// Sanctions for the Redis limiter: written to Redis, where every replica's limiter script reads
// them, and mirrored into this replica's local fallback limiter, so the replica that raised the
// alert enforces it even while Redis cannot be reached.

export function redisSanctions(connection: Pick<RedisConnection, "impose">, local: Pick<LocalLimiter, "impose">): SanctionPort {
  return {
    impose: async (key, order) => {
      local.impose(key, order);
      const reply = await connection.impose(key, sanctionArgs(order));
      if (!Array.isArray(reply) || reply.length !== 4) throw new Error(`unexpected sanction script reply: ${JSON.stringify(reply).slice(0, 200)}`);
    },
  };
}

export function sanctionArgs(order: SanctionOrder): string[] {
  const period = String(order.periodMs * GRID);
  return order.kind === "block" ? ["block", period, "1000"] : ["lower", period, String(order.factorPermille)];
}

import { GRID } from "../../core/limit/gcra.ts";
import type { SanctionOrder, SanctionPort } from "../../core/limit/sanction.ts";
import type { LocalLimiter } from "./local-limiter.ts";
import type { RedisConnection } from "./redis-connection.ts";

// Sanctions for the Redis limiter: written to Redis, where every replica's limiter script reads
// them, and mirrored into this replica's local fallback limiter, so the replica that raised the
// alert enforces it even while Redis cannot be reached. A write that fails is reported (the
// caller counts it) and retried in the background with what is left of the period, so the other
// replicas enforce it once Redis is back.

export interface SanctionRetry {
  readonly delaysMs: readonly number[]; // waits before each retry
  readonly now: () => number; // monotonic milliseconds
  readonly onRetried?: (key: string, outcome: "applied" | "gave_up") => void;
}

export const SANCTION_RETRY_DELAYS_MS = [500, 1000, 2000, 5000, 10_000, 30_000] as const;

export function redisSanctions(
  connection: Pick<RedisConnection, "impose">,
  local: Pick<LocalLimiter, "impose">,
  retry?: SanctionRetry,
): SanctionPort {
  const write = async (key: string, order: SanctionOrder) => {
    const reply = await connection.impose(key, sanctionArgs(order));
    if (!Array.isArray(reply) || reply.length !== 4)
      throw new Error(`unexpected sanction script reply: ${JSON.stringify(reply).slice(0, 200)}`);
  };
  return {
    impose: async (key, order) => {
      local.impose(key, order);
      const started = retry?.now();
      try {
        await write(key, order);
      } catch (error: unknown) {
        if (retry !== undefined && started !== undefined) retryLater(write, key, order, retry, started, 0);
        throw error;
      }
    },
  };
}

function retryLater(
  write: (key: string, order: SanctionOrder) => Promise<void>,
  key: string,
  order: SanctionOrder,
  retry: SanctionRetry,
  started: number,
  attempt: number,
): void {
  const delay = retry.delaysMs[attempt];
  if (delay === undefined) return retry.onRetried?.(key, "gave_up");
  const timer = setTimeout(() => {
    const left = order.periodMs - Math.ceil(retry.now() - started);
    if (left <= 0) return; // the sanction has run its course
    write(key, { ...order, periodMs: left }).then(
      () => retry.onRetried?.(key, "applied"),
      () => retryLater(write, key, order, retry, started, attempt + 1),
    );
  }, delay);
  timer.unref(); // a pending retry never keeps the process alive
}

export function sanctionArgs(order: SanctionOrder): string[] {
  const period = String(order.periodMs * GRID);
  return order.kind === "block" ? ["block", period, "1000"] : ["lower", period, String(order.factorPermille)];
}

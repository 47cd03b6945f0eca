import { randomUUID } from "node:crypto";
import { Registry } from "prom-client";
import { createRedisLimiter, type RedisLimiterHandle } from "../../../src/wiring/create-redis-limiter.ts";
import { connectRedis, type RedisConnection } from "../../../src/adapters/limiter/redis-connection.ts";
import { parseRedisLimiterConfig } from "../../../src/config/parse-redis-limiter.ts";
import { RedisLimiter } from "../../../src/adapters/limiter/redis-limiter.ts";
import { parseRedisUrl } from "../../../src/core/redis-url.ts";
import type { ChargeRequest, LimitCharge, LimitVerdict, PenaltyBoxCharge } from "../../../src/core/limit/limiter-port.ts";
import type { LimitKey, LimitSpec, PenaltyBoxSpec } from "../../../src/core/policy/types.ts";

// Small builders shared by the Redis limiter tests.

export function limit(
  name: string,
  requests: number,
  periodMs: number,
  extra: { burst?: number; shadow?: boolean; by?: LimitKey } = {},
): LimitSpec {
  const spec = { name, requests, periodMs, burst: extra.burst ?? requests, by: extra.by ?? { kind: "identity" as const } };
  return extra.shadow === true ? { ...spec, shadow: true } : spec;
}

// A fresh hash tag per call, so tests never share counters.
export function freshTag(): string {
  return randomUUID().replaceAll("-", "").slice(0, 22);
}

export function charge(tag: string, spec: LimitSpec, where = spec.name): LimitCharge {
  return { key: `mg:rl:{${tag}}:${where}`, limit: spec };
}

export function box(tag: string, spec: PenaltyBoxSpec): PenaltyBoxCharge {
  return { key: `mg:pb:{${tag}}:policy`, spec };
}

export function request(charges: readonly LimitCharge[], extra: Partial<ChargeRequest> = {}): ChargeRequest {
  return { charges, cost: 1, failClosed: false, penaltyBox: undefined, ...extra };
}

export function connect(url: string, commandTimeoutMs = 2000): Promise<{ connection: RedisConnection; limiter: RedisLimiter }> {
  const target = parseRedisUrl(url);
  if (!target.ok) throw new Error(target.error);
  const connection = connectRedis(target.value, { commandTimeoutMs, connectTimeoutMs: 2000, onError: () => undefined });
  return waitReady(connection).then(() => ({ connection, limiter: new RedisLimiter(connection) }));
}

export async function waitReady(connection: RedisConnection, withinMs = 10_000): Promise<void> {
  if (connection.client.status === "ready") return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("redis client not ready")), withinMs);
    connection.client.once("ready", () => (clearTimeout(timer), resolve()));
  });
}

// The whole Redis-backed limiter (breaker, deny cache, local fallback) with its own registry.
export async function resilient(
  url: string,
  overrides: Record<string, unknown> = {},
): Promise<RedisLimiterHandle & { registry: Registry }> {
  const config = parseRedisLimiterConfig({ url, ...overrides }, "limiter.redis");
  if (!config.ok) throw new Error(JSON.stringify(config.error));
  const registry = new Registry();
  const handle = createRedisLimiter(config.value, { registry });
  if (!(await handle.ready(10_000))) throw new Error("redis client not ready");
  return { ...handle, registry };
}

export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric?.values ?? []) as { value: number; labels: Record<string, string | number>; metricName?: string }[];
  return values
    .filter((v) => v.metricName === undefined || v.metricName === name || !v.metricName.endsWith("_bucket"))
    .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}

// A verdict without its mode, for comparing the two limiters.
export function modeless(verdict: LimitVerdict): unknown {
  if (verdict.kind === "unavailable") return verdict;
  const { mode: _mode, ...rest } = verdict;
  return rest;
}

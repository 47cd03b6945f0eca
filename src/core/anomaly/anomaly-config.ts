import type { RulesConfig } from "./anomaly-rules-config.ts";

// The anomaly detector's settings: the `anomaly:` section of the configuration, parsed by
// config/parse-anomaly.ts. Ratios are kept as whole per-mille so the Redis
// script and the audit record, which carry integers only, compute exactly what this code does.

export interface AnomalyRedisConfig {
  readonly url: string; // "" until set (or MODELGATE_REDIS_URL)
  readonly keyPrefix: string; // keys are `<prefix>:{<identity digest>}:…`
  readonly timeoutMs: number; // per script call; a slower Redis is an error, counted
}

export interface AnomalyConfig {
  readonly enabled: boolean;
  readonly redis: AnomalyRedisConfig;
  readonly maxInFlight: number; // concurrent script calls; beyond it observations are dropped (counted)
  readonly outcomes: { readonly maxPending: number; readonly waitMs: number };
  readonly rules: RulesConfig;
}

export const ANOMALY_DEFAULTS_TOP = {
  enabled: false,
  redis: { url: "", keyPrefix: "mg:an", timeoutMs: 250 },
  maxInFlight: 1024,
  outcomes: { maxPending: 100_000, waitMs: 300_000 },
} as const;

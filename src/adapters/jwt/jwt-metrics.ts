import { Counter, Gauge, type Registry } from "prom-client";
import type { JwksState, JwksStatus } from "./jwks-key-set.ts";

// JWKS health as metrics, read from the key sets at scrape time. The `issuer` label is the
// configured issuer URL: a closed set from configuration, never a value from a token.
// An IdP outage shows as modelgate_jwks_state{state="stale"} while the last good keys serve;
// readiness is deliberately not tied to it.

export interface JwtMetricsSource {
  status(): readonly JwksStatus[];
  readonly cache?: { readonly size: number };
}

const STATES: readonly JwksState[] = ["ok", "stale", "unavailable"];

export function registerJwtMetrics(registry: Registry, source: JwtMetricsSource): void {
  new Gauge({
    name: "modelgate_jwks_state",
    help: "1 for the current state of each issuer's key set (ok, stale: last good keys serving through a failed refresh, unavailable)",
    labelNames: ["issuer", "state"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const s of source.status()) for (const state of STATES) this.set({ issuer: s.issuer, state }, s.state === state ? 1 : 0);
    },
  });
  new Gauge({
    name: "modelgate_jwks_last_success_timestamp_seconds",
    help: "When each issuer's key set was last loaded successfully",
    labelNames: ["issuer"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const s of source.status()) if (s.lastSuccessAt !== undefined) this.set({ issuer: s.issuer }, s.lastSuccessAt / 1000);
    },
  });
  new Gauge({
    name: "modelgate_jwks_keys",
    help: "Verification keys served per issuer",
    labelNames: ["issuer"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const s of source.status()) this.set({ issuer: s.issuer }, s.keys);
    },
  });
  registerLoadCounter(registry, source);
  const cache = source.cache;
  if (cache !== undefined) {
    new Gauge({
      name: "modelgate_jwt_verified_cache_entries",
      help: "Verified bearer tokens held in the cache",
      registers: [registry],
      collect() {
        this.set(cache.size);
      },
    });
  }
}

// Counters only go up; the key sets keep totals, so each scrape adds what happened since the last.
function registerLoadCounter(registry: Registry, source: JwtMetricsSource): void {
  const seen = new Map<string, { loads: number; failures: number }>();
  new Counter({
    name: "modelgate_jwks_loads_total",
    help: "JWKS loads per issuer by result",
    labelNames: ["issuer", "result"] as const,
    registers: [registry],
    collect() {
      for (const s of source.status()) {
        const before = seen.get(s.issuer) ?? { loads: 0, failures: 0 };
        const failed = s.failures - before.failures;
        const succeeded = s.loads - s.failures - (before.loads - before.failures);
        this.inc({ issuer: s.issuer, result: "success" }, Math.max(0, succeeded));
        this.inc({ issuer: s.issuer, result: "failure" }, Math.max(0, failed));
        seen.set(s.issuer, { loads: s.loads, failures: s.failures });
      }
    },
  });
}

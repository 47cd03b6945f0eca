import { describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import { registerJwtMetrics } from "../../../src/adapters/jwt/jwt-metrics.ts";
import type { JwksStatus } from "../../../src/adapters/jwt/jwks-key-set.ts";

function status(overrides: Partial<JwksStatus>): JwksStatus {
  return {
    issuer: "https://login.example.com/",
    state: "ok",
    keys: 2,
    version: 1,
    lastSuccessAt: 1_800_000_000_000,
    lastAttemptAt: 1_800_000_000_000,
    lastError: undefined,
    loads: 1,
    failures: 0,
    ...overrides,
  };
}

describe("JWT metrics", () => {
  it("exposes each issuer's key-set state, age, size and loads, and the cache size", async () => {
    let current = status({});
    const registry = new Registry();
    registerJwtMetrics(registry, { status: () => [current], cache: { size: 42 } });
    const first = await registry.metrics();
    expect(first).toContain('modelgate_jwks_state{issuer="https://login.example.com/",state="ok"} 1');
    expect(first).toContain('modelgate_jwks_state{issuer="https://login.example.com/",state="stale"} 0');
    expect(first).toContain('modelgate_jwks_last_success_timestamp_seconds{issuer="https://login.example.com/"} 1800000000');
    expect(first).toContain('modelgate_jwks_keys{issuer="https://login.example.com/"} 2');
    expect(first).toContain('modelgate_jwks_loads_total{issuer="https://login.example.com/",result="success"} 1');
    expect(first).toContain("modelgate_jwt_verified_cache_entries 42");

    current = status({ state: "stale", loads: 4, failures: 3, lastError: "HTTP 503" });
    const second = await registry.metrics();
    expect(second).toContain('modelgate_jwks_state{issuer="https://login.example.com/",state="stale"} 1');
    expect(second).toContain('modelgate_jwks_state{issuer="https://login.example.com/",state="ok"} 0');
    expect(second).toContain('modelgate_jwks_loads_total{issuer="https://login.example.com/",result="failure"} 3');
    expect(second).toContain('modelgate_jwks_loads_total{issuer="https://login.example.com/",result="success"} 1');
  });
});

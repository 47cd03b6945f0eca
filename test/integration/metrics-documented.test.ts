import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Registry, collectDefaultMetrics } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerAnomalyMetrics } from "../../src/adapters/anomaly/anomaly-metrics.ts";
import { registerJwtMetrics } from "../../src/adapters/jwt/jwt-metrics.ts";
import type { KubernetesSources } from "../../src/wiring/kubernetes-sources.ts";
import { registerLimiterMetrics } from "../../src/adapters/limiter/limiter-metrics.ts";
import { createWebhookMetrics } from "../../src/adapters/webhook/webhook-metrics.ts";
import { registerStaleness } from "../../src/wiring/production-adapters.ts";
import { startFixtureServer, type FixtureServer } from "./helpers/fixture-server.ts";
import { FIXTURE_KEYS, FRAUD_POLICY } from "./fixtures.ts";

// Issue 11 item 14: the metric names a server serves and the names the README documents are the
// same set. A real server is scraped; the metrics of features it runs without (JWT, the Redis
// limiter, anomaly detection, Kubernetes) come from the same registration functions it calls.

const README = readFileSync(join(import.meta.dirname, "..", "..", "README.md"), "utf8");

let fixture: FixtureServer;

beforeAll(async () => {
  fixture = await startFixtureServer({ policyYaml: FRAUD_POLICY, keys: FIXTURE_KEYS });
});

afterAll(async () => {
  await fixture?.stop();
});

async function scrapedNames(): Promise<string[]> {
  const text = await (await fetch(`http://127.0.0.1:${fixture.server.opsPort}/metrics`)).text();
  return [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1] ?? "");
}

function optionalFeatureNames(): string[] {
  const registry = new Registry();
  registerAnomalyMetrics(registry);
  registerLimiterMetrics(registry);
  registerJwtMetrics(registry, { status: () => [], cache: { size: 0 } });
  const kube = { policies: { staleness: () => 0 }, keys: undefined } as unknown as KubernetesSources;
  registerStaleness(registry, kube);
  return registry.getMetricsAsArray().map((m) => m.name);
}

function nodeProcessNames(): Set<string> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "modelgate_" });
  return new Set(registry.getMetricsAsArray().map((m) => m.name));
}

// The rows of the metrics table under "## Operations".
function documentedNames(): string[] {
  const operations = README.slice(README.indexOf("\n## Operations"), README.indexOf("\n## Development"));
  return [...operations.matchAll(/^\s*\| `(modelgate_[a-z0-9_]+)` \|/gm)].map((m) => m[1] ?? "");
}

describe("documented metrics", () => {
  it("the README's table lists exactly what a server can serve, Node process metrics aside", async () => {
    const node = nodeProcessNames();
    const served = [...new Set([...(await scrapedNames()), ...optionalFeatureNames()])].filter((n) => !node.has(n)).sort();
    const documented = documentedNames();
    expect(new Set(documented).size).toBe(documented.length);
    expect(documented.length).toBeGreaterThan(30);
    expect({
      undocumented: served.filter((n) => !documented.includes(n)),
      notServed: documented.filter((n) => !served.includes(n)),
    }).toEqual({ undocumented: [], notServed: [] });
  });

  it("every metric the README names anywhere is one a server serves", async () => {
    // `modelgate webhook` serves its own registry (modelgate_webhook_*), documented under
    // "Injecting the sidecar".
    const webhook = createWebhookMetrics()
      .registry.getMetricsAsArray()
      .map((m) => m.name);
    const servable = new Set([...(await scrapedNames()), ...optionalFeatureNames(), ...webhook]);
    const named = [...new Set([...README.matchAll(/`(modelgate_[a-z0-9_]+)/g)].map((m) => m[1] ?? ""))];
    expect(named.filter((n) => !servable.has(n) && !/^modelgate_(process|nodejs)_$/.test(n))).toEqual([]);
  });
});

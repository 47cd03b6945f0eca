import type { AnomalyConfig } from "../../../src/core/anomaly/anomaly-config.ts";
import type { Decision } from "../../../src/core/decision.ts";
import type { Identity } from "../../../src/core/identity/identity.ts";
import type { NormalizedRequest } from "../../../src/core/request/normalized-request.ts";
import { parseAnomalyConfig } from "../../../src/config/parse-anomaly.ts";
import type { AnomalyRule } from "../../../src/core/anomaly/rules.ts";

// Crafted traffic, shared by the unit, Redis, two-replica and `audit analyze` tests: every
// consumer sees the same decisions and model responses, so they must agree on the alerts.
// Deterministic (no randomness): spacing and choices follow the request number.

export const T0 = Date.parse("2026-11-01T00:00:00Z");
const MINUTE = 60_000;

export type TrafficEvent =
  | { readonly kind: "decision"; readonly decision: Decision }
  | { readonly kind: "outcome"; readonly at: number; readonly requestId: string; readonly decisionId: string; readonly code: number };

export interface Expected {
  readonly rule: AnomalyRule;
  readonly subject: string;
}

// Thresholds small enough for quick tests, with the defaults' shape.
export const TEST_CONFIG_RAW = {
  enabled: true,
  redis: { url: "redis://127.0.0.1:6379" },
  rules: {
    volume: { window: "1m", factor: 5, minRequests: 40, baselineWindows: 10 },
    probing: { window: "5m", share: 0.5, minRequests: 20 },
    reconnaissance: { window: "10m", models: 8 },
    sharing: { window: "10m", sources: 6 },
  },
} as const;

// `rules` overrides merge per rule: { rules: { volume: { enabled: false } } } keeps the rest.
export function testConfig(
  overrides: { readonly rules?: Readonly<Record<string, object>>; readonly [key: string]: unknown } = {},
): AnomalyConfig {
  const base: Readonly<Record<string, object>> = TEST_CONFIG_RAW.rules;
  const rules = Object.fromEntries(
    [...new Set([...Object.keys(base), ...Object.keys(overrides.rules ?? {})])].map((r) => [r, { ...base[r], ...overrides.rules?.[r] }]),
  );
  const parsed = parseAnomalyConfig({ ...TEST_CONFIG_RAW, ...overrides, rules }, "anomaly");
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return parsed.value;
}

export function person(name: string, method: Identity["method"] = "apikey"): Identity {
  return {
    method,
    subject: `${name}@example.com`,
    issuer: method === "jwt" ? "https://login.example.com" : "keys",
    keyId: method === "apikey" ? `k${name.padEnd(11, "x").slice(0, 11)}` : "",
    groups: [],
    attributes: { team: "ml" },
  };
}

function request(id: string, at: number, address: string): NormalizedRequest {
  return {
    id,
    method: "POST",
    path: "/v2/models/m/infer",
    rawPath: "/v2/models/m/infer",
    query: new Map(),
    host: "models.local",
    scheme: "https",
    protocol: "HTTP/1.1",
    headers: new Map(),
    peer: { address, principal: "", certificate: "" },
    body: undefined,
    contextExtensions: new Map(),
    receivedAt: at,
  };
}

export interface Call {
  readonly who: Identity;
  readonly at: number;
  readonly model: string;
  readonly address: string;
  readonly denied?: boolean; // 403 policy_no_match
  readonly code?: number; // the model's HTTP answer to an allowed call (default 200)
}

let serial = 0;

export function decisionOf(c: Call, n = (serial += 1)): Decision {
  const facts = {
    id: `d-${n}`,
    requestId: `r-${n}`,
    decidedAt: c.at,
    identity: c.who,
    identitySource: c.who.method,
    target: { model: c.model, version: "", action: "predict", source: "profile" as const },
    policy: { namespace: "ml", name: "models", generation: 1, rule: "team-ml" },
    rateLimit: undefined,
    request: request(`r-${n}`, c.at, c.address),
  };
  return c.denied === true
    ? { ...facts, allowed: false, reason: "policy_no_match", detail: "no rule allows predict", challenge: undefined }
    : { ...facts, allowed: true, reason: "allowed", credentialHeaders: [] };
}

// Decisions plus, for allowed calls, the model's answer 40 ms later; sorted by time.
export function traffic(calls: readonly Call[]): TrafficEvent[] {
  const events: { at: number; order: number; event: TrafficEvent }[] = [];
  calls.forEach((c, i) => {
    const decision = decisionOf(c, i + 1);
    events.push({ at: c.at, order: 2 * i, event: { kind: "decision", decision } });
    if (c.denied !== true)
      events.push({
        at: c.at + 40,
        order: 2 * i + 1,
        event: { kind: "outcome", at: c.at + 40, requestId: decision.requestId, decisionId: decision.id, code: c.code ?? 200 },
      });
  });
  return events.sort((a, b) => a.at - b.at || a.order - b.order).map((e) => e.event);
}

// `perMinute` calls a minute, evenly spaced, from one address on one of two models; every 20th
// denied, every 50th answered 500. Nothing here should ever alert.
export function steady(who: Identity, fromMinute: number, minutes: number, perMinute: number, address = "10.1.0.1:40000"): Call[] {
  const calls: Call[] = [];
  for (let m = 0; m < minutes; m += 1) {
    for (let i = 0; i < perMinute; i += 1) {
      const k = m * perMinute + i;
      const at = T0 + (fromMinute + m) * MINUTE + Math.floor((i * MINUTE) / perMinute) + 7;
      calls.push({
        who,
        at,
        model: k % 2 === 0 ? "fraud-detector" : "churn",
        address,
        denied: k % 20 === 19,
        code: k % 50 === 49 ? 500 : 200,
      });
    }
  }
  return calls;
}

// A steady caller whose minute `spikeMinute` carries `spike` calls instead.
export function volumeSpike(who: Identity, spike: number): Call[] {
  const base = steady(who, 0, 30, 6).filter((c) => c.at < T0 + 20 * MINUTE || c.at >= T0 + 21 * MINUTE);
  const burst = Array.from({ length: spike }, (_, i) => ({
    who,
    at: T0 + 20 * MINUTE + Math.floor((i * MINUTE) / spike),
    model: "fraud-detector",
    address: "10.1.0.2:40000",
  }));
  return [...base, ...burst];
}

// `total` calls within four minutes, `bad` of them (spread evenly) denied or answered 500.
export function probing(who: Identity, total: number, bad: number, via: "denials" | "errors"): Call[] {
  return Array.from({ length: total }, (_, i) => {
    const isBad = Math.floor(((i + 1) * bad) / total) > Math.floor((i * bad) / total);
    const call = { who, at: T0 + 40 * MINUTE + i * Math.floor((4 * MINUTE) / total), model: "fraud-detector", address: "10.1.0.3:40000" };
    if (!isBad) return call;
    return via === "denials" ? { ...call, denied: true } : { ...call, code: 500 };
  });
}

// One call each to `models` different models within three minutes.
export function reconnaissance(who: Identity, models: number): Call[] {
  return Array.from({ length: models }, (_, i) => ({
    who,
    at: T0 + 61 * MINUTE + i * Math.floor((3 * MINUTE) / models),
    model: `model-${i}`,
    address: "10.1.0.4:40000",
  }));
}

// One credential from `sources` addresses within five minutes (`ipv6`: all in one /64).
export function sharing(who: Identity, sources: number, ipv6 = false): Call[] {
  return Array.from({ length: sources * 2 }, (_, i) => {
    const host = i % sources;
    const address = ipv6 ? `[2001:db8:0:1:${(host + 1).toString(16)}::7]:443` : `203.0.113.${host + 1}:${50000 + i}`;
    return { who, at: T0 + 75 * MINUTE + i * Math.floor((5 * MINUTE) / (sources * 2)), model: "fraud-detector", address };
  });
}

export interface Scenario {
  readonly name: string;
  readonly calls: readonly Call[];
  readonly expected: readonly Expected[];
}

const alice = person("alice");
const bob = person("bob", "jwt");
const carol = person("carol");
const mallory = person("mallory");
const trudy = person("trudy", "jwt");
const eve = person("eve");
const oscar = person("oscar");

// Normal traffic of three callers (two of them busy), around which each attack is mixed in.
export function normalCalls(): Call[] {
  return [...steady(alice, 0, 90, 6), ...steady(bob, 0, 90, 30, "[2001:db8::5]:1234"), ...steady(carol, 0, 90, 2, "10.9.9.9:1")];
}

export const SCENARIOS: readonly Scenario[] = [
  { name: "normal traffic", calls: normalCalls(), expected: [] },
  {
    name: "near misses: 35 calls in a minute, 45% denied, 7 models, 5 sources, 20 addresses in one /64",
    calls: [
      ...normalCalls(),
      ...volumeSpike(mallory, 35),
      ...probing(trudy, 40, 18, "denials"),
      ...reconnaissance(eve, 7),
      ...sharing(oscar, 5),
      ...sharing(carol, 20, true),
    ],
    expected: [],
  },
  {
    name: "volume spike",
    calls: [...normalCalls(), ...volumeSpike(mallory, 120)],
    expected: [{ rule: "volume", subject: "mallory@example.com" }],
  },
  {
    name: "probing by denials",
    calls: [...normalCalls(), ...probing(trudy, 40, 30, "denials")],
    expected: [{ rule: "probing", subject: "trudy@example.com" }],
  },
  {
    name: "probing by model errors",
    calls: [...normalCalls(), ...probing(trudy, 40, 25, "errors")],
    expected: [{ rule: "probing", subject: "trudy@example.com" }],
  },
  {
    name: "reconnaissance",
    calls: [...normalCalls(), ...reconnaissance(eve, 12)],
    expected: [{ rule: "reconnaissance", subject: "eve@example.com" }],
  },
  { name: "sharing", calls: [...normalCalls(), ...sharing(oscar, 10)], expected: [{ rule: "sharing", subject: "oscar@example.com" }] },
];

// Every attack at once, for the two-replica and analyze tests.
export const ALL_AT_ONCE: Scenario = {
  name: "every attack mixed into normal traffic",
  calls: [
    ...normalCalls(),
    ...volumeSpike(mallory, 120),
    ...probing(trudy, 40, 30, "denials"),
    ...reconnaissance(eve, 12),
    ...sharing(oscar, 10),
  ],
  expected: [
    { rule: "volume", subject: "mallory@example.com" },
    { rule: "probing", subject: "trudy@example.com" },
    { rule: "reconnaissance", subject: "eve@example.com" },
    { rule: "sharing", subject: "oscar@example.com" },
  ],
};

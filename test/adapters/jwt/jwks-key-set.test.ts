import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { exportJWK, generateKeyPair } from "jose";
import { JwksKeySet, type JwksEvent } from "../../../src/adapters/jwt/jwks-key-set.ts";
import { jwksLoader } from "../../../src/adapters/jwt/jwks-loaders.ts";
import { createJwtKeySets, type JwtKeySets } from "../../../src/adapters/jwt/jwt-key-sets.ts";
import { parseJwtConfig } from "../../../src/config/parse-jwt-config.ts";
import type { JwtConfig } from "../../../src/core/identity/jwt/jwt-config.ts";
import {
  startCanaryServer,
  startOidcServer,
  type CanaryServer,
  type OidcServer,
  type ServeMode,
} from "../../integration/helpers/oidc-server.ts";

// The key-set manager against a real OpenID provider on loopback: discovery, rotation, unknown
// kids, outages of every kind, recovery. Time is a variable the test moves; only the
// background-retry tests use the real clock.

const T0 = Date.parse("2026-11-01T00:00:00Z");
let now = T0;
let idp: OidcServer;
let canary: CanaryServer;
let sets: JwtKeySets | undefined;
let events: JwksEvent[] = [];

beforeEach(async () => {
  now = T0;
  events = [];
  canary = await startCanaryServer();
  idp = await startOidcServer({ redirectTo: `${canary.url}/jwks` });
});

afterEach(async () => {
  sets?.stop();
  sets = undefined;
  await idp.close();
  await canary.close();
});

function config(issuer: Record<string, unknown> = {}): JwtConfig {
  const keys = { refreshSeconds: 3600, cooldownSeconds: 30, timeoutSeconds: 0.3, maxStaleSeconds: 600 };
  const parsed = parseJwtConfig({ issuers: [{ issuer: idp.issuer, audiences: ["modelgate"], keys, ...issuer }] }, "jwt");
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return parsed.value;
}

async function started(cfg = config(), retryMinMs = 60_000) {
  sets = createJwtKeySets(cfg, { baseDir: "/", now: () => now, retryMinMs, onEvent: (e) => void events.push(e) });
  await sets.start();
  const set = sets.keysFor(cfg.issuers[0]?.issuer ?? "");
  if (set === undefined) throw new Error("no key set");
  return set;
}

async function kindOf(set: JwksKeySet, kid: string | undefined, alg = "ES256"): Promise<string> {
  return (await set.lookup(kid, alg)).kind;
}

async function eventually(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("a JWKS key set", () => {
  it("discovers the JWKS from the issuer and serves its keys", async () => {
    const key = await idp.addKey("ES256");
    const set = await started();
    expect(idp.requests).toEqual({ discovery: 1, jwks: 1, other: 0 });
    expect(await kindOf(set, key.kid)).toBe("found");
    expect(await kindOf(set, key.kid, "RS256")).toBe("unknown");
    expect(set.status()).toMatchObject({ state: "ok", keys: 1, lastSuccessAt: T0, loads: 1, failures: 0 });
  });

  it("refetches for unknown kids at most once per cooldown, however many arrive", async () => {
    await idp.addKey("ES256");
    const set = await started();
    const flood = () => Promise.all(Array.from({ length: 10_000 }, (_, i) => kindOf(set, `made-up-${i}`)));
    expect(new Set(await flood())).toEqual(new Set(["unknown"]));
    expect(idp.requests.jwks).toBe(1); // within the cooldown of the start-up load
    now += 30_000;
    expect(new Set(await flood())).toEqual(new Set(["unknown"]));
    expect(idp.requests.jwks).toBe(2);
    now += 29_999;
    await flood();
    expect(idp.requests.jwks).toBe(2);
    now += 1;
    await flood();
    expect(idp.requests.jwks).toBe(3);
    expect(idp.requests.discovery).toBe(1);
  });

  it("accepts a rotated-in key after one refetch, and drops a withdrawn key on the next load", async () => {
    const old = await idp.addKey("ES256");
    const set = await started();
    const before = set.version;
    const rotated = await idp.addKey("EdDSA");
    expect(await kindOf(set, rotated.kid, "EdDSA")).toBe("unknown"); // within the cooldown
    now += 30_000;
    expect(await kindOf(set, rotated.kid, "EdDSA")).toBe("found");
    expect(idp.requests.jwks).toBe(2);
    expect(set.version).toBe(before + 1);
    idp.withdrawKey(old.kid);
    await set.refresh();
    expect(await kindOf(set, old.kid)).toBe("unknown");
    expect(set.version).toBe(before + 2);
  });

  it("does not bump the version when a refresh brings the same keys", async () => {
    await idp.addKey("ES256");
    const set = await started();
    const version = set.version;
    await set.refresh();
    expect(set.version).toBe(version);
    expect(idp.requests.jwks).toBe(2);
  });

  it.each(["error-500", "error-503", "hang", "invalid-json", "redirect"] as ServeMode[])(
    "keeps serving the last good keys through an outage (%s), then recovers",
    async (mode) => {
      const key = await idp.addKey("ES256");
      const set = await started();
      idp.setJwksMode(mode);
      now += 60_000;
      await set.refresh();
      expect(set.status()).toMatchObject({ state: "stale", lastSuccessAt: T0, failures: 1 });
      expect(await kindOf(set, key.kid)).toBe("found");
      expect(events.at(-1)).toMatchObject({ kind: "failed", serving: "stale" });
      idp.setJwksMode("ok");
      await set.refresh();
      expect(set.status()).toMatchObject({ state: "ok", lastSuccessAt: now, lastError: undefined });
      expect(canary.requests).toEqual([]);
    },
  );

  it("re-runs discovery after the JWKS fails, in case the provider moved its keys", async () => {
    await idp.addKey("ES256");
    const set = await started();
    idp.setJwksMode("error-503");
    await set.refresh();
    idp.setJwksMode("ok");
    await set.refresh();
    expect(idp.requests.discovery).toBe(2);
  });

  it("stops serving keys older than maxStaleSeconds: the issuer becomes unavailable", async () => {
    const key = await idp.addKey("ES256");
    const set = await started();
    idp.setJwksMode("error-503");
    now += 599_999;
    expect(await kindOf(set, key.kid)).toBe("found");
    now += 1;
    expect(await kindOf(set, key.kid)).toBe("unavailable"); // the refetch this triggers fails too
    expect(set.status().state).toBe("unavailable");
  });

  it("refuses a discovery document for another issuer", async () => {
    await idp.addKey("ES256");
    idp.setDiscoveryMode("wrong-issuer");
    const set = await started();
    expect(set.status()).toMatchObject({ state: "unavailable", lastError: "discovery: the document names a different issuer" });
    expect(idp.requests.jwks).toBe(0);
  });

  it("is unavailable when the IdP is down at start, without calling it on every request", async () => {
    const key = await idp.addKey("ES256");
    idp.setDiscoveryMode("error-503");
    const set = await started();
    for (let i = 0; i < 100; i++) expect(await kindOf(set, key.kid)).toBe("unavailable");
    expect(idp.requests.discovery).toBe(1);
  });

  it("uses an explicit jwksUri without discovery", async () => {
    const key = await idp.addKey("RS256");
    const set = await started(config({ jwksUri: idp.jwksUri }));
    expect(await kindOf(set, key.kid, "RS256")).toBe("found");
    expect(idp.requests).toMatchObject({ discovery: 0, jwks: 1 });
  });
});

describe("background refresh (real clock)", () => {
  it("retries a discovery failure at start in the background rather than latching it", async () => {
    const key = await idp.addKey("ES256");
    idp.setDiscoveryMode("error-503");
    now = Date.now();
    sets = createJwtKeySets(config(), { baseDir: "/", retryMinMs: 50 });
    await sets.start();
    const set = sets.keysFor(idp.issuer);
    expect(set?.status().state).toBe("unavailable");
    idp.setDiscoveryMode("ok");
    await eventually(() => set?.status().state === "ok");
    expect(set !== undefined && (await kindOf(set, key.kid))).toBe("found");
    expect(idp.requests.discovery).toBeGreaterThanOrEqual(2);
  });

  it("picks up a rotation on the refresh interval, with no request asking for it", async () => {
    await idp.addKey("ES256");
    const cfg = config().issuers[0];
    if (cfg === undefined) throw new Error("no issuer");
    const set = new JwksKeySet({
      issuer: cfg.issuer,
      algorithms: cfg.algorithms,
      load: jwksLoader(cfg, { baseDir: "/" }),
      refreshMs: 100,
      cooldownMs: 30_000,
      maxStaleMs: 600_000,
    });
    try {
      await set.start();
      const rotated = await idp.addKey("ES256");
      await eventually(() => set.status().keys === 2);
      expect(set.lookup(rotated.kid, "ES256")).toMatchObject({ kind: "found" });
    } finally {
      set.stop();
    }
  });
});

describe("a static JWKS file", () => {
  it("is read relative to the configuration directory and re-read on refresh", async () => {
    const dir = mkdtempSync(join(tmpdir(), "modelgate-jwks-"));
    try {
      const write = async (kid: string) => {
        const pair = await generateKeyPair("ES256", { extractable: true });
        writeFileSync(join(dir, "jwks.json"), JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid }] }));
      };
      await write("first");
      const cfg = config({ issuer: "dev-issuer", jwksFile: "jwks.json" });
      sets = createJwtKeySets(cfg, { baseDir: dir, now: () => now });
      await sets.start();
      const set = sets.keysFor("dev-issuer");
      if (set === undefined) throw new Error("no key set");
      expect(await kindOf(set, "first")).toBe("found");
      await write("second");
      await set.refresh();
      expect(await kindOf(set, "second")).toBe("found");
      expect(await kindOf(set, "first")).toBe("unknown");
      writeFileSync(join(dir, "jwks.json"), "{ not json");
      await set.refresh();
      expect(set.status().state).toBe("stale");
      expect(await kindOf(set, "second")).toBe("found");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

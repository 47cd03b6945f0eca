import type { Config } from "../config/config.ts";
import { checkPorts, type CheckPorts } from "../core/check-ports.ts";
import { apiKeySource } from "../core/identity/api-key-source.ts";
import { buildKeyIndex, type KeyIndex } from "../core/identity/key-store.ts";
import { mtlsSource } from "../core/identity/mtls/mtls-source.ts";
import type { TrustAnchors } from "../core/identity/mtls/trust-anchors.ts";
import type { IdentitySource } from "../core/identity/sources.ts";
import type { Issue } from "../core/result.ts";
import { FileBackedStore } from "../adapters/files/file-backed-store.ts";
import { createJwtIdentity, type JwtIdentity } from "./create-jwt-identity.ts";
import type { JwksEvent } from "../adapters/jwt/jwks-key-set.ts";
import { LocalLimiter } from "../adapters/limiter/local-limiter.ts";
import type { Limiter } from "../core/limit/limiter-port.ts";
import type { SanctionPort } from "../core/limit/sanction.ts";
import { memoizedDigest } from "../core/limit/key-digest.ts";
import type { KubernetesSources } from "./kubernetes-sources.ts";
import { buildCaBundle } from "../adapters/mtls/ca-bundle.ts";
import { buildKeyIndexFromFiles } from "./key-source.ts";
import { buildPolicyIndex, type PolicyLoad } from "./policy-source.ts";

// Everything a decision needs, built from a Config. Shared by `serve` and `check` so the
// "why was I denied?" tool decides exactly as the server does.

export type SourceKind = "policies" | "apikeys" | "ca-bundle";

// What a load produced, for logs and gauges.
export interface LoadSummary {
  readonly count: number;
  readonly detail?: Readonly<Record<string, unknown>>;
  readonly warnings?: readonly string[]; // loaded, but worth a look (policies: broad grants)
}

export interface EngineHooks {
  readonly loaded: (kind: SourceKind, summary: LoadSummary) => void;
  // `serving`: the last good version keeps serving (false when nothing was ever loaded).
  readonly rejected: (kind: SourceKind, issues: readonly Issue[], serving: boolean) => void;
  readonly jwks?: (event: JwksEvent) => void;
}

export interface Engine {
  readonly ports: CheckPorts;
  readonly jwt: JwtIdentity | undefined;
  readonly sanctions: SanctionPort; // where anomaly responses block callers or lower their limits
  // Loads every file source once; false when any failed (the caller decides whether that is fatal).
  loadAll(): boolean;
  // Background work: file watching (when asked) and JWKS fetching. Returns once the first
  // JWKS attempt of every issuer has finished; serving need not wait for it.
  start(options: { readonly watchFiles: boolean }): Promise<void>;
  // Stops watching; resolves once the Kubernetes watches ended and the status Lease was given up.
  close(): Promise<void>;
}

// Adapters built by the server (production-adapters.ts) that replace the embedded defaults.
export interface EngineExtras {
  // default: the in-process limiter, which then also keeps the sanctions
  readonly limiter?: { readonly limiter: Limiter; readonly sanctions: SanctionPort };
  readonly kubernetes?: KubernetesSources; // policies (and keys, when watched) from the API server
}

export interface EngineClock {
  readonly now: () => number;
  readonly newId: () => string;
}

const EMPTY_KEYS = buildKeyIndex([]).index;
// Distinct texts behind limiter-key digests kept at once (callers × limits in use): ≈ 1 MB.
const KEY_DIGESTS = 8192;

interface Stores {
  readonly policies: FileBackedStore<PolicyLoad>;
  readonly keys: FileBackedStore<KeyIndex>;
  readonly caBundle: FileBackedStore<TrustAnchors> | undefined;
}

function fileStores(config: Config, hooks: EngineHooks): Stores {
  const policies = new FileBackedStore<PolicyLoad>({
    files: config.policyFiles,
    build: (sources) => buildPolicyIndex(sources, config.namespace),
    onLoaded: (load) =>
      hooks.loaded("policies", {
        count: load.index.policyCount,
        detail: { ignored_other_namespaces: load.ignored },
        warnings: load.warnings,
      }),
    onRejected: (issues, serving) => hooks.rejected("policies", issues, serving),
  });
  const keys = new FileBackedStore<KeyIndex>({
    files: config.keyFiles,
    build: buildKeyIndexFromFiles,
    onLoaded: (index) => hooks.loaded("apikeys", { count: index.size }),
    onRejected: (issues, serving) => hooks.rejected("apikeys", issues, serving),
  });
  const caFile = config.identity.mtls.caFile;
  const caBundle =
    caFile === undefined
      ? undefined
      : new FileBackedStore<TrustAnchors>({
          files: [caFile],
          build: buildCaBundle,
          onLoaded: (anchors) => hooks.loaded("ca-bundle", { count: anchors.certificates.length }),
          onRejected: (issues, serving) => hooks.rejected("ca-bundle", issues, serving),
        });
  return { policies, keys, caBundle };
}

function identitySources(
  config: Config,
  stores: Stores,
  jwt: JwtIdentity | undefined,
  kube: KubernetesSources | undefined,
): IdentitySource[] {
  const keyWatch = kube?.keys;
  return config.identity.sources.map((name) => {
    switch (name) {
      case "apikey":
        return apiKeySource({
          keys: keyWatch === undefined ? () => stores.keys.current ?? EMPTY_KEYS : () => keyWatch.current() ?? EMPTY_KEYS,
        });
      case "mtls": {
        const ca = stores.caBundle;
        return mtlsSource({ config: config.identity.mtls, ...(ca === undefined ? {} : { anchors: () => ca.current }) });
      }
      case "jwt":
        // parse-identity guarantees identity.jwt when `jwt` is a source.
        if (jwt === undefined) throw new Error("jwt source configured without identity.jwt");
        return jwt.source;
    }
  });
}

function localLimiter(now: () => number): { limiter: Limiter; sanctions: SanctionPort } {
  const limiter = new LocalLimiter({ now });
  return { limiter, sanctions: { impose: (key, order) => Promise.resolve(limiter.impose(key, order)) } };
}

export function createEngine(config: Config, hooks: EngineHooks, clock: EngineClock, extras: EngineExtras = {}): Engine {
  const stores = fileStores(config, hooks);
  const kube = extras.kubernetes;
  const jwtConfig = config.identity.jwt;
  const jwt =
    jwtConfig === undefined
      ? undefined
      : createJwtIdentity(jwtConfig, { baseDir: "/", now: clock.now, ...(hooks.jwks === undefined ? {} : { onEvent: hooks.jwks }) });
  // With Kubernetes, policies (and keys when watched) come from the API server, not files.
  const all = [
    ...(kube === undefined ? [stores.policies] : []),
    ...(kube?.keys === undefined ? [stores.keys] : []),
    ...(stores.caBundle === undefined ? [] : [stores.caBundle]),
  ];
  const limiter = extras.limiter ?? localLimiter(clock.now);
  const ports = checkPorts({
    deployment: {
      profile: config.protocol,
      defaultModel: config.model,
      environment: config.environment,
      ...(config.routingHeader === undefined ? {} : { routingHeader: config.routingHeader }),
    },
    sources: identitySources(config, stores, jwt, kube),
    policies: kube === undefined ? () => stores.policies.current?.index : () => kube.policies.current(),
    limiter: limiter.limiter,
    sanctions: config.anomaly?.enabled === true,
    keyDigest: memoizedDigest(KEY_DIGESTS),
    now: clock.now,
    newId: clock.newId,
  });
  return {
    ports,
    jwt,
    sanctions: limiter.sanctions,
    loadAll: () => all.map((store) => store.reload()).every(Boolean),
    start: async ({ watchFiles }) => {
      if (watchFiles) all.forEach((store) => store.watch());
      kube?.start();
      await jwt?.start();
    },
    close: async () => {
      all.forEach((store) => store.close());
      jwt?.stop();
      await kube?.stop();
    },
  };
}

import type { Config } from "../config/config.ts";
import type { CheckPorts } from "../core/check.ts";
import { apiKeySource } from "../core/identity/api-key-source.ts";
import { buildKeyIndex, type KeyIndex } from "../core/identity/key-store.ts";
import type { IdentitySource } from "../core/identity/sources.ts";
import type { Issue } from "../core/result.ts";
import { FileBackedStore } from "../adapters/files/file-backed-store.ts";
import { LocalLimiter } from "../adapters/limiter/local-limiter.ts";
import { buildKeyIndexFromFiles } from "./key-source.ts";
import { mtlsSource } from "../core/identity/mtls/mtls-source.ts";
import type { TrustAnchors } from "../core/identity/mtls/trust-anchors.ts";
import { buildCaBundle } from "../adapters/mtls/ca-bundle.ts";
import { buildPolicyIndex, type PolicyLoad } from "./policy-source.ts";

// Everything a decision needs, built from a Config. Shared by `serve` and `check` so the
// "why was I denied?" tool decides exactly as the server does.

export type SourceKind = "policies" | "apikeys" | "ca-bundle";

// What a load produced, for logs and gauges.
export interface LoadSummary {
  readonly count: number;
  readonly detail?: Readonly<Record<string, unknown>>;
}

export interface EngineHooks {
  readonly loaded: (kind: SourceKind, summary: LoadSummary) => void;
  readonly rejected: (kind: SourceKind, issues: readonly Issue[]) => void;
}

export interface Engine {
  readonly ports: CheckPorts;
  readonly policies: FileBackedStore<PolicyLoad>;
  readonly keys: FileBackedStore<KeyIndex>;
  // Loads every source once; false when any failed (the caller decides whether that is fatal).
  loadAll(): boolean;
  watch(): void;
  close(): void;
}

export interface EngineClock {
  readonly now: () => number;
  readonly newId: () => string;
}

const EMPTY_KEYS = buildKeyIndex([]).index;

interface SourceStores {
  readonly keys: FileBackedStore<KeyIndex>;
  readonly caBundle: FileBackedStore<TrustAnchors> | undefined;
}

function identitySources(config: Config, stores: SourceStores): IdentitySource[] {
  return config.identity.sources.map((name) => {
    switch (name) {
      case "apikey":
        return apiKeySource({ keys: () => stores.keys.current ?? EMPTY_KEYS });
      case "mtls": {
        const ca = stores.caBundle;
        return mtlsSource({ config: config.identity.mtls, ...(ca === undefined ? {} : { anchors: () => ca.current }) });
      }
    }
  });
}

export function createEngine(config: Config, hooks: EngineHooks, clock: EngineClock): Engine {
  const policies = new FileBackedStore<PolicyLoad>({
    files: config.policyFiles,
    build: (sources) => buildPolicyIndex(sources, config.namespace),
    onLoaded: (load) => hooks.loaded("policies", { count: load.index.policyCount, detail: { ignored_other_namespaces: load.ignored } }),
    onRejected: (issues) => hooks.rejected("policies", issues),
  });
  const keys = new FileBackedStore<KeyIndex>({
    files: config.keyFiles,
    build: buildKeyIndexFromFiles,
    onLoaded: (index) => hooks.loaded("apikeys", { count: index.size }),
    onRejected: (issues) => hooks.rejected("apikeys", issues),
  });
  const caFile = config.identity.mtls.caFile;
  const caBundle =
    caFile === undefined
      ? undefined
      : new FileBackedStore<TrustAnchors>({
          files: [caFile],
          build: buildCaBundle,
          onLoaded: (anchors) => hooks.loaded("ca-bundle", { count: anchors.certificates.length }),
          onRejected: (issues) => hooks.rejected("ca-bundle", issues),
        });
  const stores = [policies, keys, ...(caBundle === undefined ? [] : [caBundle])];
  const ports: CheckPorts = {
    deployment: { profile: config.protocol, defaultModel: config.model, environment: config.environment },
    sources: identitySources(config, { keys, caBundle }),
    policies: () => policies.current?.index,
    limiter: new LocalLimiter({ now: clock.now }),
    now: clock.now,
    newId: clock.newId,
  };
  return {
    ports,
    policies,
    keys,
    loadAll: () => stores.map((store) => store.reload()).every(Boolean),
    watch: () => stores.forEach((store) => store.watch()),
    close: () => stores.forEach((store) => store.close()),
  };
}

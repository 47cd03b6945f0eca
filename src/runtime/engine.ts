import type { Config } from "../config/config.ts";
import type { CheckPorts } from "../core/check.ts";
import { apiKeySource } from "../core/identity/api-key-source.ts";
import { buildKeyIndex, type KeyIndex } from "../core/identity/key-store.ts";
import type { IdentitySource } from "../core/identity/sources.ts";
import type { Issue } from "../core/result.ts";
import { FileBackedStore } from "../adapters/files/file-backed-store.ts";
import { LocalLimiter } from "../adapters/limiter/local-limiter.ts";
import { buildKeyIndexFromFiles } from "./key-source.ts";
import { buildPolicyIndex, type PolicyLoad } from "./policy-source.ts";

// Everything a decision needs, built from a Config. Shared by `serve` and `check` so the
// "why was I denied?" tool decides exactly as the server does.

export interface EngineHooks {
  readonly policiesLoaded: (load: PolicyLoad) => void;
  readonly policiesRejected: (issues: readonly Issue[]) => void;
  readonly keysLoaded: (index: KeyIndex) => void;
  readonly keysRejected: (issues: readonly Issue[]) => void;
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

function identitySources(config: Config, keys: FileBackedStore<KeyIndex>): IdentitySource[] {
  return config.identitySources.map(() => apiKeySource({ keys: () => keys.current ?? EMPTY_KEYS }));
}

export function createEngine(config: Config, hooks: EngineHooks, clock: EngineClock): Engine {
  const policies = new FileBackedStore<PolicyLoad>({
    files: config.policyFiles,
    build: (sources) => buildPolicyIndex(sources, config.namespace),
    onLoaded: hooks.policiesLoaded,
    onRejected: hooks.policiesRejected,
  });
  const keys = new FileBackedStore<KeyIndex>({
    files: config.keyFiles,
    build: buildKeyIndexFromFiles,
    onLoaded: hooks.keysLoaded,
    onRejected: hooks.keysRejected,
  });
  const ports: CheckPorts = {
    deployment: { profile: config.protocol, defaultModel: config.model, environment: config.environment },
    sources: identitySources(config, keys),
    policies: () => policies.current?.index,
    limiter: new LocalLimiter({ now: clock.now }),
    now: clock.now,
    newId: clock.newId,
  };
  return {
    ports,
    policies,
    keys,
    loadAll: () => [policies.reload(), keys.reload()].every(Boolean),
    watch: () => {
      policies.watch();
      keys.watch();
    },
    close: () => {
      policies.close();
      keys.close();
    },
  };
}

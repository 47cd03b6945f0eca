import type { AccessPolicy } from "../../core/policy/access-policy.ts";
import { parseAccessPolicy } from "../../core/policy/access-policy.ts";
import type { CompiledPolicies, CompiledPolicyIndex } from "../../core/policy/compile.ts";
import { compilePolicies } from "../../core/policy/compile.ts";
import type { PolicyWarning } from "../../core/policy/broad-grants.ts";
import type { ShadowedRule } from "../../core/policy/shadowing.ts";
import type { Issue } from "../../core/result.ts";
import type { ListWatchClient } from "./list-watch-client.ts";
import type { LoopEvent, LoopTimers, LoopTuning } from "./list-watch-loop.ts";
import type { Interpretation, ResourceStatus } from "./last-good-collection.ts";
import { createResourceWatch } from "./resource-watch.ts";

// AccessPolicy resources watched live. Each new generation is parsed exactly as a policy file
// is (parseAccessPolicy sees apiVersion, kind and metadata as the server sends them) and
// compiled on its own; the index is compiled from the last valid version of every resource.

export interface PolicyStatus extends ResourceStatus {
  readonly shadowed: readonly ShadowedRule[]; // rules of this policy that can never decide
  readonly warnings: readonly PolicyWarning[]; // valid but risky rules of this policy
}

export interface PolicyWatch {
  current(): CompiledPolicyIndex | undefined;
  synced(): boolean;
  staleness(): number;
  status(): readonly PolicyStatus[];
  start(): void;
  stop(): void;
}

export interface PolicyWatchOptions {
  readonly client: ListWatchClient;
  readonly timers: LoopTimers;
  readonly tuning: LoopTuning;
  readonly onLoop?: (event: LoopEvent) => void;
  // Every rebuild, with every resource's status: logs, metrics and the status writer use it.
  readonly onChange?: (index: CompiledPolicyIndex, statuses: readonly PolicyStatus[]) => void;
}

export function interpretPolicy(object: unknown): Interpretation<AccessPolicy> {
  const parsed = parseAccessPolicy(object);
  if (!parsed.ok) return { value: undefined, issues: parsed.error };
  // Compiling alone catches what parsing cannot (for instance a route pattern the matcher refuses).
  const compiled = compilePolicies([parsed.value]);
  const issues: Issue[] = compiled.issues.flatMap((entry) => entry.issues);
  return issues.length > 0 ? { value: undefined, issues } : { value: parsed.value, issues: [] };
}

export function createPolicyWatch(options: PolicyWatchOptions): PolicyWatch {
  let compiled: CompiledPolicies | undefined;
  const withShadowed = (statuses: readonly ResourceStatus[]): PolicyStatus[] =>
    statuses.map((s) => ({
      ...s,
      shadowed: compiled?.shadowed.filter((r) => r.policy === s.key) ?? [],
      warnings: compiled?.warnings.filter((w) => w.policy === s.key) ?? [],
    }));
  const watch = createResourceWatch<AccessPolicy, CompiledPolicies>({
    client: options.client,
    timers: options.timers,
    tuning: options.tuning,
    interpret: interpretPolicy,
    keepLastGood: true,
    build: (served) => {
      compiled = compilePolicies(served);
      return compiled;
    },
    ...(options.onLoop === undefined ? {} : { onLoop: options.onLoop }),
    onChange: (built, statuses) => options.onChange?.(built.index, withShadowed(statuses)),
  });
  return {
    current: () => watch.current()?.index,
    synced: () => watch.synced(),
    staleness: () => watch.staleness(),
    status: () => withShadowed(watch.status()),
    start: () => watch.start(),
    stop: () => watch.stop(),
  };
}

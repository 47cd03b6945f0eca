import type { KubeHttp } from "./kube-http.ts";
import { statusMessage } from "./kube-http.ts";
import type { LoopTimers } from "./list-watch-loop.ts";
import type { PolicyWarning } from "../../core/policy/broad-grants.ts";
import type { PolicyStatus } from "./policy-watch.ts";

// Writes what the watch concluded about each AccessPolicy into its status subresource:
// `Accepted` (this generation parsed and compiled, or every problem with its path) and `Ready`
// (this generation is the one being served), both with observedGeneration, plus the shadowed
// rules and the warnings about valid but risky rules (also summed up in Accepted's message).
// Only while `isLeader()` holds, so a Deployment of many sidecars writes once, and only what
// changed since this writer's last successful write.

export const POLICY_API = "/apis/modelgate.io/v1alpha1";
const MAX_MESSAGE = 32_768;

export interface Condition {
  readonly type: "Accepted" | "Ready";
  readonly status: "True" | "False";
  readonly observedGeneration: number;
  readonly lastTransitionTime: string;
  readonly reason: string;
  readonly message: string;
}

export interface PolicyStatusBody {
  readonly observedGeneration: number;
  readonly conditions: readonly Condition[];
  readonly shadowed: readonly { readonly rule: string; readonly shadowedBy: string }[];
  readonly warnings: readonly { readonly rule: string; readonly message: string }[];
}

export interface StatusWriterOptions {
  readonly http: KubeHttp;
  readonly timers: LoopTimers;
  readonly isLeader: () => boolean;
  readonly onError?: (key: string, message: string) => void;
}

export interface StatusWriter {
  // Called with every rebuild's statuses (PolicyWatch onChange) and on leadership changes.
  sync(statuses: readonly PolicyStatus[]): Promise<void>;
}

type Desired = Omit<Condition, "lastTransitionTime">;

export function desiredConditions(s: PolicyStatus): readonly Desired[] {
  const g = s.generation;
  const accepted: Desired = s.accepted
    ? { type: "Accepted", status: "True", observedGeneration: g, ...acceptedWith(s.warnings) }
    : { type: "Accepted", status: "False", observedGeneration: g, reason: "Invalid", message: issuesText(s) };
  const ready: Desired =
    s.servedGeneration === g
      ? { type: "Ready", status: "True", observedGeneration: g, reason: "Serving", message: `generation ${g} is being enforced` }
      : s.servedGeneration !== undefined
        ? {
            type: "Ready",
            status: "False",
            observedGeneration: g,
            reason: "ServingPreviousGeneration",
            message: `generation ${g} is invalid; generation ${s.servedGeneration} is still being enforced`,
          }
        : {
            type: "Ready",
            status: "False",
            observedGeneration: g,
            reason: "NotServed",
            message: "no valid generation of this policy has been seen; it is not enforced",
          };
  return [accepted, ready];
}

function acceptedWith(warnings: readonly PolicyWarning[]): { reason: string; message: string } {
  if (warnings.length === 0) return { reason: "Compiled", message: "the policy is valid" };
  const text = warnings.map((w) => `rule ${w.rule} ${w.message}`).join("; ");
  return {
    reason: "CompiledWithWarnings",
    message: capped(`the policy is valid, with ${warnings.length === 1 ? "a warning" : `${warnings.length} warnings`}: ${text}`),
  };
}

function issuesText(s: PolicyStatus): string {
  return capped(s.issues.map((i) => (i.path === "" ? i.message : `${i.path}: ${i.message}`)).join("; "));
}

function capped(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
}

export function createStatusWriter(options: StatusWriterOptions): StatusWriter {
  const written = new Map<string, { readonly fingerprint: string; readonly conditions: readonly Condition[] }>();
  const bodyFor = (s: PolicyStatus, now: string): PolicyStatusBody => {
    const previous = written.get(s.key)?.conditions ?? [];
    const conditions = desiredConditions(s).map((d) => {
      const before = previous.find((c) => c.type === d.type);
      return { ...d, lastTransitionTime: before !== undefined && before.status === d.status ? before.lastTransitionTime : now };
    });
    const shadowed = s.shadowed.map((r) => ({ rule: r.rule, shadowedBy: `${r.shadowedBy.policy} ${r.shadowedBy.rule}` }));
    const warnings = s.warnings.map((w) => ({ rule: w.rule, message: w.message }));
    return { observedGeneration: s.generation, conditions, shadowed, warnings };
  };
  const fingerprintOf = (s: PolicyStatus): string => JSON.stringify([s.uid, desiredConditions(s), s.shadowed, s.warnings]);

  async function write(s: PolicyStatus): Promise<void> {
    const fingerprint = fingerprintOf(s);
    if (written.get(s.key)?.fingerprint === fingerprint) return;
    const [namespace = "", name = ""] = s.key.split("/");
    const status = bodyFor(s, new Date(options.timers.now()).toISOString().replace(/\.\d{3}Z$/, "Z"));
    const reply = await options.http.json(
      "PATCH",
      `${POLICY_API}/namespaces/${namespace}/accesspolicies/${name}/status`,
      { status },
      {
        contentType: "application/merge-patch+json",
      },
    );
    if (reply.ok && reply.value.status === 200) written.set(s.key, { fingerprint, conditions: status.conditions });
    else if (reply.ok && reply.value.status === 404) written.delete(s.key);
    else options.onError?.(s.key, reply.ok ? statusMessage(reply.value.body, reply.value.status) : reply.error.message);
  }

  let running: Promise<void> = Promise.resolve();
  return {
    // Serialised: a burst of rebuilds writes each policy once, in order, never concurrently.
    sync: (statuses) => {
      running = running.then(async () => {
        if (!options.isLeader()) {
          written.clear(); // a later leadership starts from what the cluster shows, not from memory
          return;
        }
        for (const s of statuses) await write(s);
        const live = new Set(statuses.map((s) => s.key));
        for (const key of written.keys()) if (!live.has(key)) written.delete(key);
      });
      return running;
    },
  };
}

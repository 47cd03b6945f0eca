import type { CheckPorts, Deployment } from "./check-ports.ts";
import type { Decision, DecisionFacts, RateLimitOutcome } from "./decision.ts";
import { ANONYMOUS } from "./identity/identity.ts";
import type { Cancellation, ChargeRequest, LimitVerdict } from "./limit/limiter-port.ts";
import type { ModelAction } from "./model-action.ts";
import type { Evaluation, PolicyIndex } from "./policy/types.ts";
import type { DenyReason } from "./reason.ts";
import type { NormalizedRequest } from "./request/normalized-request.ts";
import { identify, type IdentifyOutcome } from "./identity/identify.ts";
import { isPromise, type MaybePromise } from "./maybe-promise.ts";
import { normalizeRequest } from "./request/normalize-request.ts";
import { resolveTarget } from "./request/profiles/resolve-target.ts";
import { modelNameProblem } from "./request/profiles/model-name.ts";
import { applyRoutingHeaders } from "./request/routing-headers.ts";
import { underscoreHeader } from "./request/underscore-headers.ts";
import { err, ok } from "./result.ts";

// The decision pipeline: normalize → identify → resolve → authorize → limit.
// Every step returns a value; nothing here throws for a request outcome. The pipeline runs
// synchronously until a step has to wait (identify: a JWT whose keys are being fetched; limit:
// Redis) and only then continues in a promise (maybe-promise.ts).

type Facts = { -readonly [K in keyof DecisionFacts]: DecisionFacts[K] };

// Decisions are written out field by field rather than spread from the facts: one object, built
// in one step, on every request.
function deny(facts: Facts, reason: DenyReason, detail: string, challenge?: string): Decision {
  const { id, requestId, decidedAt, identity, identitySource, target, policy, rateLimit, request } = facts;
  return {
    id,
    requestId,
    decidedAt,
    identity,
    identitySource,
    target,
    policy,
    rateLimit,
    request,
    allowed: false,
    reason,
    detail,
    challenge,
  };
}

function allow(facts: Facts, ports: CheckPorts): Decision {
  const { id, requestId, decidedAt, identity, identitySource, target, policy, rateLimit, request } = facts;
  const credentialHeaders = ports.credentialHeaders;
  return {
    id,
    requestId,
    decidedAt,
    identity,
    identitySource,
    target,
    policy,
    rateLimit,
    request,
    allowed: true,
    reason: "allowed",
    credentialHeaders,
  };
}

const NO_NAMES: readonly string[] = Object.freeze([]);

function resolve(req: NormalizedRequest, index: PolicyIndex, deployment: Deployment) {
  const route = index.matchRoute(req.method, req.path, deployment.defaultModel);
  if (route !== undefined) {
    // A `{model}` capture passes the same name check as every profile's model.
    const problem = route.model === "" ? undefined : modelNameProblem(route.model);
    if (problem !== undefined) return err({ reason: "model_invalid" as const, detail: problem });
    return ok<ModelAction>({ model: route.model, version: "", action: route.action, source: "route" });
  }
  return resolveTarget(req, deployment.profile, deployment.defaultModel);
}

function outcomeOf(verdict: Exclude<LimitVerdict, { kind: "unavailable" }>): RateLimitOutcome {
  const base = { mode: verdict.mode, states: verdict.states };
  switch (verdict.kind) {
    case "allowed": {
      const allowed = { ...base, violated: NO_NAMES, retryAfterSeconds: 0 };
      if (verdict.shadowed === undefined && verdict.lowered === undefined) return allowed; // the usual case: no more objects
      return {
        ...allowed,
        ...(verdict.shadowed === undefined ? {} : { shadowed: verdict.shadowed }),
        ...(verdict.lowered === undefined ? {} : { lowered: verdict.lowered }),
      };
    }
    case "limited":
      return {
        ...base,
        violated: verdict.violated,
        retryAfterSeconds: verdict.retryAfterSeconds,
        ...(verdict.lowered === undefined ? {} : { lowered: verdict.lowered }),
      };
    case "blocked":
      return {
        ...base,
        violated: NO_NAMES,
        retryAfterSeconds: verdict.retryAfterSeconds,
        penaltyBox: true,
        ...(verdict.by === "anomaly" ? { anomalyBlock: true } : {}),
      };
  }
}

// Requests without limits reach the limiter only when sanctions are on, so a policy's penalty
// box blocks limited traffic only, while an anomaly block stops all of the caller's traffic.
// A request whose deadline answer already went out is not charged: that denial consumed nothing.
function applyLimits(facts: Facts, ports: CheckPorts, request: ChargeRequest, cancel: Cancellation | undefined): MaybePromise<Decision> {
  if (request.charges.length === 0 && request.sanction === undefined) return allow(facts, ports);
  if (cancel?.aborted === true) return deny(facts, "deadline_exceeded", "the caller's deadline passed before the rate limits were checked");
  const verdict = ports.limiter.charge(request, cancel);
  return isPromise(verdict) ? verdict.then((waited) => judge(facts, ports, waited)) : judge(facts, ports, verdict);
}

function judge(facts: Facts, ports: CheckPorts, verdict: LimitVerdict): Decision {
  if (verdict.kind === "unavailable") return deny(facts, "limiter_unavailable", verdict.detail);
  facts.rateLimit = outcomeOf(verdict);
  if (verdict.kind === "blocked" && verdict.by === "anomaly")
    return deny(facts, "anomaly_blocked", "unusual activity; blocked for a while");
  if (verdict.kind === "blocked") return deny(facts, "penalty_box", "too many rate-limit violations; blocked for a while");
  if (verdict.kind === "limited") return deny(facts, "rate_limited", `limit ${verdict.violated.join(", ")} exceeded`);
  return allow(facts, ports);
}

function describeDeny(evaluation: Evaluation & { effect: "deny" }, target: ModelAction): string {
  const what = `${target.action} on model "${target.model}"`;
  // Policy and rule names stay out of the client's answer; audit and `modelgate check` show them.
  return evaluation.reason === "policy_denied" ? `${what} is denied by policy` : `no rule allows ${what}`;
}

// `cancel`: set once the caller no longer waits (the server answered its deadline); the
// pipeline then charges no limit. The decision itself when no step had to wait, else a promise.
export function decide(raw: unknown, ports: CheckPorts, cancel?: Cancellation): MaybePromise<Decision> {
  const now = ports.now();
  const facts = blankFacts(ports.newId(), now);
  const normalized = normalizeRequest(raw, now);
  if (!normalized.ok) return deny(facts, normalized.error.reason, normalized.error.detail);
  const req = normalized.value;
  facts.requestId = req.id;
  facts.request = req;
  const smuggled = underscoreHeader(req, ports.deployment.routingHeader);
  if (smuggled !== undefined)
    return deny(
      facts,
      "header_invalid",
      `header ${JSON.stringify(smuggled.slice(0, 80))}: names with underscores are refused (only the configured routingHeader may have them)`,
    );

  const index = ports.policies();
  if (index === undefined) return deny(facts, "not_ready", "policies are not loaded yet");

  const who = identify(ports.sources, req, now);
  return isPromise(who)
    ? who.then((waited) => authorize(facts, waited, req, index, ports, cancel))
    : authorize(facts, who, req, index, ports, cancel);
}

// Everything after identify: resolve the target, evaluate the policies, apply the limits.
function authorize(
  facts: Facts,
  who: IdentifyOutcome,
  req: NormalizedRequest,
  index: PolicyIndex,
  ports: CheckPorts,
  cancel: Cancellation | undefined,
): MaybePromise<Decision> {
  if (who.kind === "rejected") {
    facts.identitySource = who.source;
    return deny(facts, who.reason, who.detail, who.challenge);
  }
  const identity = who.kind === "identified" ? who.identity : undefined;
  facts.identity = identity;
  facts.identitySource = who.kind === "identified" ? who.source : undefined;

  const resolved = resolve(req, index, ports.deployment);
  const target = resolved.ok ? applyRoutingHeaders(req, resolved.value, ports.deployment.routingHeader) : resolved;
  if (!target.ok) return deny(facts, target.error.reason, target.error.detail);
  facts.target = target.value;

  const effective = identity ?? ANONYMOUS;
  const evaluation = index.evaluate({ identity: effective, target: target.value, request: req, environment: ports.deployment.environment });
  facts.policy = evaluation.policy;
  if (evaluation.effect === "deny") {
    if (evaluation.reason === "policy_no_match" && identity === undefined) {
      return deny(facts, "credential_missing", "a credential is required for this request", ports.missingCredentialChallenge);
    }
    return deny(facts, evaluation.reason, describeDeny(evaluation, target.value));
  }
  const charge = ports.chargePlans.chargeRequest(evaluation, effective, target.value.model, req.peer.address);
  return applyLimits(facts, ports, charge, cancel);
}

// A denial for when the pipeline could not run (deadline, overload, a bug): nothing is known
// about the request beyond the reason.
export function denialWithoutContext(reason: DenyReason, detail: string, id: string, now: number): Decision {
  return deny(blankFacts(id, now), reason, detail);
}

// What a decision knows before the pipeline has learnt anything about the request.
function blankFacts(id: string, now: number): Facts {
  return {
    id,
    requestId: "",
    decidedAt: now,
    identity: undefined,
    identitySource: undefined,
    target: undefined,
    policy: undefined,
    rateLimit: undefined,
    request: undefined,
  };
}

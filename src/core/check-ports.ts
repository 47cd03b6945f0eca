import { challengeFor } from "./identity/identify.ts";
import type { IdentitySource } from "./identity/sources.ts";
import { chargePlans, type ChargePlans } from "./limit/charge-plans.ts";
import { sha256Digest, type KeyDigest } from "./limit/key-digest.ts";
import type { Limiter } from "./limit/limiter-port.ts";
import type { ProtocolName } from "./model-action.ts";
import type { PolicyIndex } from "./policy/types.ts";
import type { RoutingHeader } from "./request/routing-headers.ts";

// Everything the decision pipeline (decide.ts) reads besides the request.

export interface Deployment {
  readonly profile: ProtocolName;
  readonly defaultModel: string;
  readonly environment: string;
  readonly routingHeader?: RoutingHeader; // the header the serving stack routes on, if any
}

export interface CheckPortParts {
  readonly deployment: Deployment;
  readonly sources: readonly IdentitySource[];
  readonly policies: () => PolicyIndex | undefined; // undefined until the first load
  readonly limiter: Limiter;
  // Anomaly responses may block callers or lower their limits (they live in the limiter), so
  // every allowed request asks the limiter, even one without limits.
  readonly sanctions: boolean;
  readonly keyDigest?: KeyDigest; // digests inside limiter keys; default: SHA-256 every time
  readonly now: () => number;
  readonly newId: () => string;
}

// The parts plus what follows from the configured sources alone, worked out once here rather
// than on every request.
export interface CheckPorts extends CheckPortParts {
  // Every header any configured source reads, not only the one that decided: with
  // `[mtls, apikey]` an mTLS peer must not carry someone else's x-api-key to the model server.
  // An allow removes them all before the request goes upstream.
  readonly credentialHeaders: readonly string[];
  // The WWW-Authenticate value of a 401 for a request that presented no credential.
  readonly missingCredentialChallenge: string;
  // What an allowed request asks the limiter for, kept per caller and rule (charge-plans.ts).
  readonly chargePlans: ChargePlans;
}

export function checkPorts(parts: CheckPortParts): CheckPorts {
  return Object.freeze({
    ...parts,
    credentialHeaders: Object.freeze([...new Set(parts.sources.flatMap((source) => source.credentialHeaders))]),
    missingCredentialChallenge: challengeFor(parts.sources),
    chargePlans: chargePlans({ digest: parts.keyDigest ?? sha256Digest, sanctions: parts.sanctions }),
  });
}

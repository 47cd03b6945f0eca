// What /readyz answers. A replica is ready when it can decide exactly as the others do: its
// policies are loaded, the audit log takes records (or audit fails open), and — with Redis
// configured — Redis has been reached with the limiter scripts loaded. Until then a fresh
// replica would answer limited requests 503 (or, were the local share used, over-admit).
// Once reached, a later Redis outage does not make the replica unready: that is what the
// breaker and the local share are for, and unready replicas everywhere would be a full outage.

export interface ReadinessFacts {
  readonly policiesLoaded: boolean;
  readonly auditAccepting: boolean;
  readonly limiterReady: boolean; // true without Redis
}

export interface Readiness {
  readonly ready: boolean;
  readonly detail: string;
}

export function readiness(facts: ReadinessFacts): Readiness {
  if (!facts.policiesLoaded) return { ready: false, detail: "policies not loaded" };
  if (!facts.limiterReady) return { ready: false, detail: "the rate limiter has not reached Redis yet" };
  if (!facts.auditAccepting) return { ready: false, detail: "the audit log is not accepting records" };
  return { ready: true, detail: "ready" };
}

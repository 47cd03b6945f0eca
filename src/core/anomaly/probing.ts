// The probing rule: in one window, the share of an identity's decisions that were bad (denied
// with a configured status, or answered by the model with a configured error status).

export interface ProbingCounts {
  readonly total: number; // decisions
  readonly bad: number; // bad decisions + model errors of allowed decisions
}

export interface ProbingParams {
  readonly minRequests: number;
  readonly sharePermille: number;
}

// A decision counts once in `total`; a model error adds to `bad` only (its decision was
// already counted, and only allowed decisions get one, so bad never exceeds total).
export function stepProbing(counts: ProbingCounts | undefined, kind: "decision" | "outcome", bad: boolean): ProbingCounts {
  const c = counts ?? { total: 0, bad: 0 };
  return kind === "decision" ? { total: c.total + 1, bad: c.bad + (bad ? 1 : 0) } : { total: c.total, bad: c.bad + 1 };
}

export function probingOver(c: ProbingCounts, p: ProbingParams): boolean {
  return c.total >= p.minRequests && c.bad * 1000 >= p.sharePermille * c.total;
}

export function sharePermilleOf(c: ProbingCounts): number {
  return c.total === 0 ? 0 : Math.floor((c.bad * 1000) / c.total);
}

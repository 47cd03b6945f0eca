// The volume rule's arithmetic. Each identity keeps the request count of its current window
// and a moving average of the counts of its past windows, in thousandths of a request: the
// plain mean of the first windows, then, from the Nth on, an exponentially weighted one
// (weight 1/N) — so the baseline means something after one window instead of creeping up from
// zero for N of them. The Lua script (adapters/anomaly/anomaly-lua.ts) repeats this
// operation for operation: integers throughout, and the one fractional step (the decay over
// empty windows) done by squaring in IEEE doubles, whose products are correctly rounded in Lua
// and JavaScript alike — Math.pow would not be guaranteed to agree.

export interface VolumeState {
  readonly bucket: number; // window index
  readonly count: number; // decisions in that window
  readonly baselineMilli: number; // average of earlier windows' counts × 1000
  readonly windows: number; // windows folded into the baseline, at most N
}

export interface VolumeParams {
  readonly baselineWindows: number; // N
  readonly factorPermille: number;
  readonly minRequests: number;
  readonly forgetWindows: number; // after this many silent windows the baseline starts over
}

export interface VolumeStep {
  readonly state: VolumeState;
  readonly threshold: number; // the count at which the current window is anomalous
}

// ((N-1)/N)^k by squaring.
export function decayFactor(n: number, k: number): number {
  let base = (n - 1) / n;
  let result = 1;
  let rest = k;
  while (rest > 0) {
    if (rest % 2 === 1) result *= base;
    base *= base;
    rest = Math.floor(rest / 2);
  }
  return result;
}

function fold(baselineMilli: number, windows: number, count: number, n: number): number {
  const k = Math.min(windows, n - 1);
  return Math.floor((k * baselineMilli + count * 1000) / (k + 1));
}

export function volumeThreshold(baselineMilli: number, p: VolumeParams): number {
  return Math.max(p.minRequests, Math.floor((p.factorPermille * baselineMilli) / 1_000_000) + 1);
}

// A decision in window `bucket`. One from an earlier window (a replica whose clock lags) counts
// in the current one: the count is what matters, not which minute it is filed under. Windows
// without a decision between two decisions count as zeros (the decay).
export function stepVolume(state: VolumeState | undefined, bucket: number, p: VolumeParams): VolumeStep {
  const n = p.baselineWindows;
  let next: VolumeState;
  if (state === undefined || bucket - state.bucket > p.forgetWindows) {
    next = { bucket, count: 1, baselineMilli: 0, windows: 0 };
  } else if (bucket > state.bucket) {
    const folded = fold(state.baselineMilli, state.windows, state.count, n);
    const gap = bucket - state.bucket - 1;
    const baselineMilli = gap === 0 ? folded : Math.floor(folded * decayFactor(n, gap));
    next = { bucket, count: 1, baselineMilli, windows: Math.min(state.windows + 1 + gap, n) };
  } else {
    next = { ...state, count: state.count + 1 };
  }
  return { state: next, threshold: volumeThreshold(next.baselineMilli, p) };
}

// The middle value (the upper middle of an even count); NaN for none.
export const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

// The p-th percentile of ascending values: the value at index ⌊n·p/100⌋ (nearest rank, so p99.9
// of 10 000 calls is the 10th slowest); NaN for none.
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}

// Several runs' values as one ascending list: a percentile over every call of a run's rounds,
// rather than a median of each round's percentile.
export function pooled(runs: readonly (readonly number[])[]): number[] {
  return runs.flat().sort((a, b) => a - b);
}

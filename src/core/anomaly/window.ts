// Fixed windows aligned to the epoch, the same on every replica and in `audit analyze`:
// window i covers [i × length, (i + 1) × length).

export function windowIndex(timeMs: number, lengthMs: number): number {
  return Math.floor(timeMs / lengthMs);
}

export function windowStart(index: number, lengthMs: number): number {
  return index * lengthMs;
}

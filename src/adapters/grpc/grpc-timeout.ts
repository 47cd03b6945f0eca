// The `grpc-timeout` request header (gRPC over HTTP/2: TimeoutValue TimeoutUnit, a positive
// integer of at most 8 ASCII digits followed by one of H M S m u n). Without the header the
// call has no deadline.

const UNIT_MS: Readonly<Record<string, number>> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 1e-3, n: 1e-6 };
const MAX_DIGITS = 8;

// Milliseconds of the caller's budget; +Infinity when the header is absent; undefined when it
// is present but not a valid timeout.
export function parseGrpcTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return Number.POSITIVE_INFINITY;
  const digits = value.length - 1;
  if (digits < 1 || digits > MAX_DIGITS) return undefined;
  const unit = UNIT_MS[value.charAt(digits)];
  if (unit === undefined) return undefined;
  let amount = 0;
  for (let i = 0; i < digits; i += 1) {
    const d = value.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    amount = amount * 10 + d;
  }
  return amount * unit;
}

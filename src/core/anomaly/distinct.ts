// Distinct members (models, source networks) per identity and window, for the reconnaissance
// and sharing rules. The set is capped at the threshold: reaching it is all the rule needs to
// know, and the cap bounds Redis memory per identity whatever a caller sends. An exact set
// rather than a HyperLogLog, so `audit analyze` reproduces every alert exactly.

export function addCapped(members: ReadonlySet<string> | undefined, member: string, cap: number): ReadonlySet<string> {
  const set = new Set(members ?? []);
  if (set.size < cap) set.add(member);
  return set;
}

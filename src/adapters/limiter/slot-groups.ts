import type { ChargeRequest, PenaltyBoxCharge } from "../../core/limit/limiter-port.ts";
import { hashTagOf } from "../../core/limit/limit-keys.ts";

// Which keys of one request can go into one script call. Standalone and Sentinel Redis run
// any keys together, so there is always one group and the request is atomic. Redis Cluster
// runs a script only over keys of one slot: keys are grouped by hash tag, and the penalty box
// and the sanction key join the caller's own group (they carry the caller's tag, as do the
// caller-owned counters that a sanction may lower).

export interface SlotGroup {
  readonly indices: readonly number[]; // into request.charges, in request order
  readonly box: PenaltyBoxCharge | undefined;
  readonly sanction: string | undefined;
}

export function planGroups(request: ChargeRequest, clustered: boolean): SlotGroup[] {
  if (!clustered) return [{ indices: request.charges.map((_, i) => i), box: request.penaltyBox, sanction: request.sanction }];
  const byTag = new Map<string, { indices: number[]; box: PenaltyBoxCharge | undefined; sanction: string | undefined }>();
  const groupOf = (tag: string) => {
    let group = byTag.get(tag);
    if (group === undefined) byTag.set(tag, (group = { indices: [], box: undefined, sanction: undefined }));
    return group;
  };
  request.charges.forEach((charge, i) => groupOf(hashTagOf(charge.key)).indices.push(i));
  if (request.penaltyBox !== undefined) groupOf(hashTagOf(request.penaltyBox.key)).box = request.penaltyBox;
  if (request.sanction !== undefined) groupOf(hashTagOf(request.sanction)).sanction = request.sanction;
  return [...byTag.values()];
}

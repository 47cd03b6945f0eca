import type { ChargeRequest, LimitCharge, Limiter, LimitVerdict, PenaltyBoxCharge } from "../../core/limit/limiter-port.ts";
import { gcra, GRID, toGridSteps, type GcraOutcome } from "../../core/limit/gcra.ts";
import { blockedVerdict, chargeFactor, combineFigures } from "../../core/limit/limit-states.ts";
import { blockRemaining, recordViolation, type PenaltyState } from "../../core/limit/penalty-box.ts";
import {
  imposeSanction,
  sanctionBlockRemaining,
  sanctionFactor,
  sanctionKeepUntil,
  type Sanction,
  type SanctionOrder,
} from "../../core/limit/sanction.ts";
import type { LimitSpec } from "../../core/policy/types.ts";

// The in-process limiter: exact GCRA per key, all-or-nothing across a request's limits, the
// penalty box and anomaly sanctions. It backs `npm start` and the degraded mode while Redis is unreachable (then
// with `share` < 1, since every replica enforces on its own).
// Memory is bounded: past `maxKeys` the least recently charged keys (and boxes) go first.

export interface LocalLimiterOptions {
  readonly now: () => number;
  readonly maxKeys?: number;
  // Share of each limit this replica may admit on its own (1 when it is the only enforcer).
  readonly share?: number;
}

interface Box {
  readonly state: PenaltyState;
  readonly keepUntil: number; // grid steps
}

export class LocalLimiter implements Limiter {
  readonly #tats = new Map<string, number>();
  readonly #boxes = new Map<string, Box>();
  readonly #sanctions = new Map<string, Sanction>();
  readonly #now: () => number;
  readonly #maxKeys: number;
  readonly #share: number;

  constructor(options: LocalLimiterOptions) {
    this.#now = options.now;
    this.#maxKeys = options.maxKeys ?? 100_000;
    this.#share = options.share ?? 1;
  }

  get size(): number {
    return this.#tats.size + this.#boxes.size + this.#sanctions.size;
  }

  charge(request: ChargeRequest): LimitVerdict {
    return this.chargeNow(request.charges, request.cost, request.penaltyBox, request.sanction);
  }

  // Puts an anomaly response on the caller whose sanction key this is.
  impose(sanctionKey: string, order: SanctionOrder): void {
    const steps = toGridSteps(this.#now());
    this.#store(this.#sanctions, sanctionKey, imposeSanction(this.#sanction(sanctionKey, steps), order, steps));
  }

  chargeNow(charges: readonly LimitCharge[], cost: number, penaltyBox?: PenaltyBoxCharge, sanctionKey?: string): LimitVerdict {
    const now = this.#now();
    const steps = toGridSteps(now);
    const sanction = sanctionKey === undefined ? undefined : this.#sanction(sanctionKey, steps);
    const banned = sanctionBlockRemaining(sanction, steps);
    if (banned > 0) return blockedVerdict("anomaly", charges, banned / GRID / 1000, "local");
    const box = penaltyBox === undefined ? undefined : this.#box(penaltyBox.key, steps);
    const blocked = blockRemaining(box?.state, steps);
    if (blocked > 0) return blockedVerdict("penalty_box", charges, blocked / GRID / 1000, "local");
    const factor = sanctionFactor(sanction, steps);
    // One pass, one array: this runs for every allowed request.
    const scaled = this.#share === 1 ? charges : charges.map((c) => ({ ...c, limit: this.#scaled(c.limit) }));
    const outcomes: GcraOutcome[] = [];
    let denied = false;
    for (let i = 0; i < scaled.length; i++) {
      const c = scaled[i] as LimitCharge;
      const outcome = gcra(c.limit, this.#tats.get(c.key), now, cost, chargeFactor(c, factor));
      outcomes.push(outcome);
      if (!outcome.allowed && c.limit.shadow !== true) denied = true;
    }
    // Nothing is charged when denied, so a limit this request would have passed reports its
    // state as it stays (cost 0), not as if this request had been counted.
    const figures = denied ? outcomes.map((o, i) => (o.allowed ? this.#uncharged(scaled[i] as LimitCharge, now, factor) : o)) : outcomes;
    const verdict = combineFigures(scaled, figures, "local", factor);
    if (verdict.kind === "limited") return penaltyBox === undefined ? verdict : this.#violation(penaltyBox, box, steps, charges, verdict);
    for (let i = 0; i < outcomes.length; i++) {
      const o = outcomes[i] as GcraOutcome;
      if (o.allowed) this.#store(this.#tats, (charges[i] as LimitCharge).key, o.tat);
    }
    return verdict;
  }

  #violation(
    penaltyBox: PenaltyBoxCharge,
    box: Box | undefined,
    steps: number,
    charges: readonly LimitCharge[],
    verdict: LimitVerdict,
  ): LimitVerdict {
    const outcome = recordViolation(penaltyBox.spec, box?.state, steps);
    this.#store(this.#boxes, penaltyBox.key, { state: outcome.state, keepUntil: outcome.keepUntil });
    return outcome.blockSteps > 0 ? blockedVerdict("penalty_box", charges, outcome.blockSteps / GRID / 1000, "local") : verdict;
  }

  #sanction(key: string, steps: number): Sanction | undefined {
    const sanction = this.#sanctions.get(key);
    if (sanction === undefined || sanctionKeepUntil(sanction) > steps) return sanction;
    this.#sanctions.delete(key);
    return undefined;
  }

  #box(key: string, steps: number): Box | undefined {
    const box = this.#boxes.get(key);
    if (box === undefined || box.keepUntil > steps) return box;
    this.#boxes.delete(key);
    return undefined;
  }

  #uncharged(charge: LimitCharge, now: number, factor: number): GcraOutcome {
    return gcra(charge.limit, this.#tats.get(charge.key), now, 0, chargeFactor(charge, factor));
  }

  #scaled(limit: LimitSpec): LimitSpec {
    if (this.#share === 1) return limit;
    return {
      ...limit,
      requests: Math.max(1, Math.floor(limit.requests * this.#share)),
      burst: Math.max(1, Math.floor(limit.burst * this.#share)),
    };
  }

  #store<T>(map: Map<string, T>, key: string, value: T): void {
    // Re-inserting moves the key to the end, so Map order is least-recently-charged first.
    map.delete(key);
    map.set(key, value);
    if (map.size <= this.#maxKeys) return;
    for (const oldest of map.keys()) {
      if (map.size <= this.#maxKeys) break;
      map.delete(oldest);
    }
  }
}

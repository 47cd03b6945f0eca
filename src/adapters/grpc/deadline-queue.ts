// The deadlines of the Check calls in flight, behind one timer. A `setTimeout` and a
// `Promise.race` per call cost a Timeout object, two promises and a `finally` per decision;
// here a call costs one small entry in a list ordered by due time. Callers' budgets are
// mostly alike, so a new entry usually goes at the tail and the search from there is short;
// removing an answered call unlinks it in constant time, so nothing waits in the list for a
// deadline that no longer matters.

export interface DeadlineEntry {
  readonly due: number; // performance.now() milliseconds
  readonly fire: () => void;
  prev: DeadlineEntry | undefined;
  next: DeadlineEntry | undefined;
  queued: boolean;
}

export class DeadlineQueue {
  private head: DeadlineEntry | undefined;
  private tail: DeadlineEntry | undefined;
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Number.POSITIVE_INFINITY;

  // Calls `fire` once `inMs` milliseconds have passed, unless the entry is removed before.
  add(inMs: number, fire: () => void): DeadlineEntry {
    const entry: DeadlineEntry = { due: performance.now() + inMs, fire, prev: undefined, next: undefined, queued: true };
    let after = this.tail;
    while (after !== undefined && after.due > entry.due) after = after.prev;
    this.insertAfter(after, entry);
    if (entry.due < this.armedFor) this.arm(entry.due);
    return entry;
  }

  // The timer stays armed for a removed head: when it fires it finds nothing due and re-arms
  // for the new head, which is cheaper than a clearTimeout and setTimeout per answered call.
  remove(entry: DeadlineEntry): void {
    if (!entry.queued) return;
    entry.queued = false;
    if (entry.prev === undefined) this.head = entry.next;
    else entry.prev.next = entry.next;
    if (entry.next === undefined) this.tail = entry.prev;
    else entry.next.prev = entry.prev;
    entry.prev = undefined;
    entry.next = undefined;
  }

  private insertAfter(after: DeadlineEntry | undefined, entry: DeadlineEntry): void {
    entry.prev = after;
    entry.next = after === undefined ? this.head : after.next;
    if (entry.next === undefined) this.tail = entry;
    else entry.next.prev = entry;
    if (after === undefined) this.head = entry;
    else after.next = entry;
  }

  private arm(due: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.armedFor = due;
    this.timer = setTimeout(() => this.expire(), Math.max(0, due - performance.now()));
  }

  private expire(): void {
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
    const now = performance.now();
    // Node's timers keep whole milliseconds, so one may fire a fraction early: such an entry
    // waits for the next turn of the timer rather than being answered before its time.
    while (this.head !== undefined && this.head.due <= now) {
      const entry = this.head;
      this.remove(entry);
      entry.fire();
    }
    if (this.head !== undefined) this.arm(this.head.due);
  }
}

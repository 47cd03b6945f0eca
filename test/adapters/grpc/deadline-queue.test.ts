import { describe, expect, it } from "vitest";
import { DeadlineQueue } from "../../../src/adapters/grpc/deadline-queue.ts";

// One timer behind every call's deadline: each entry fires once, not before its time, in the
// order of the deadlines whatever the order they were added in, and never once removed.

function settledAfter(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe("DeadlineQueue", () => {
  it("fires entries in deadline order, each once and not before its time", async () => {
    const queue = new DeadlineQueue();
    const fired: { name: string; lateBy: number }[] = [];
    const add = (name: string, ms: number) => {
      const due = performance.now() + ms;
      queue.add(ms, () => fired.push({ name, lateBy: performance.now() - due }));
    };
    add("c", 60);
    add("a", 20);
    add("d", 60);
    add("b", 40);
    await settledAfter(200);
    expect(fired.map((f) => f.name)).toEqual(["a", "b", "c", "d"]);
    for (const f of fired) expect(f.lateBy).toBeGreaterThanOrEqual(0);
  });

  it("never fires a removed entry, whether it was the head, in the middle or the tail", async () => {
    const queue = new DeadlineQueue();
    const fired: string[] = [];
    const entries = ["a", "b", "c", "d"].map((name, i) => queue.add(10 + 10 * i, () => fired.push(name)));
    for (const i of [0, 2, 3]) queue.remove(entries[i] as (typeof entries)[number]);
    queue.remove(entries[0] as (typeof entries)[number]); // twice is harmless
    await settledAfter(150);
    expect(fired).toEqual(["b"]);
  });

  it("fires an entry added after the others drained, and one earlier than the armed timer", async () => {
    const queue = new DeadlineQueue();
    const fired: string[] = [];
    queue.add(5, () => fired.push("first"));
    await settledAfter(50);
    queue.add(500, () => fired.push("late"));
    queue.add(10, () => fired.push("early"));
    await settledAfter(100);
    expect(fired).toEqual(["first", "early"]);
  });
});

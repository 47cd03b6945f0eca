import { afterEach, describe, expect, it, vi } from "vitest";
import { withDeadline } from "../../../src/adapters/limiter/deadline.ts";

// withDeadline with fake timers: the work's value when it comes first, `late` after the deadline
// plus one turn, the work's value when it arrives in that turn, and no timer left behind.
describe("withDeadline", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("answers the work's value and clears its timer when the work comes first", async () => {
    vi.useFakeTimers();
    const answer = withDeadline(Promise.resolve("work"), 100, "late");
    await expect(answer).resolves.toBe("work");
    expect(vi.getTimerCount()).toBe(0);
  });

  it("answers `late` once the deadline and one more turn have passed", async () => {
    vi.useFakeTimers();
    const answer = withDeadline(new Promise<string>(() => undefined), 100, "late");
    await vi.advanceTimersByTimeAsync(100);
    await vi.runAllTimersAsync();
    await expect(answer).resolves.toBe("late");
  });

  it("lets work that settles after the timer fired but before the next turn win", async () => {
    vi.useFakeTimers();
    let finish: (v: string) => void = () => undefined;
    const answer = withDeadline(new Promise<string>((r) => (finish = r)), 100, "late");
    vi.advanceTimersToNextTimer(); // the deadline timer fires and queues the immediate
    finish("work");
    await expect(answer).resolves.toBe("work");
    expect(vi.getTimerCount()).toBe(0);
  });

  it("passes a rejection of the work on", async () => {
    vi.useFakeTimers();
    await expect(withDeadline(Promise.reject(new Error("bug")), 100, "late")).rejects.toThrow("bug");
    expect(vi.getTimerCount()).toBe(0);
  });
});

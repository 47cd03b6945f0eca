import { describe, expect, it } from "vitest";
import { createListWatchLoop, type LoopEvent, type LoopTuning, type ResourceSink } from "../../../src/adapters/k8s/list-watch-loop.ts";
import { failure, fakeClient, manualTimers, object, page, type FakeClient } from "./fake-kube.ts";

const TUNING: LoopTuning = {
  watchTimeoutSeconds: 60,
  stallGraceMs: 30_000,
  relistIntervalMs: 600_000,
  backoffInitialMs: 500,
  backoffMaxMs: 30_000,
};

function setup(client: FakeClient, tuning = TUNING) {
  const timers = manualTimers();
  const seen: string[] = [];
  const events: LoopEvent[] = [];
  const name = (o: unknown) => (o as { metadata: { name: string } }).metadata.name;
  const sink: ResourceSink = {
    replace: (items) => void seen.push(`replace ${items.map(name).join(",")}`),
    upsert: (o) => void seen.push(`upsert ${name(o)}`),
    remove: (o) => void seen.push(`remove ${name(o)}`),
  };
  const loop = createListWatchLoop({ client, sink, timers, tuning, onEvent: (e) => void events.push(e) });
  return { loop, timers, seen, events };
}

describe("the list-watch loop", () => {
  it("lists, then watches from the list's resourceVersion and applies events in order", async () => {
    const client = fakeClient(page([object("a", "5")], "10"));
    const { loop, timers, seen } = setup(client);
    expect(loop.synced()).toBe(false);
    loop.start();
    await timers.advance(0);
    expect(loop.synced()).toBe(true);
    expect(client.lastWatch()).toMatchObject({ resourceVersion: "10" });
    // The server timeout is randomised between 1x and 1.5x (random() = 0.5 here).
    expect(client.lastWatch().timeoutSeconds).toBe(75);
    client.lastWatch().callbacks.onEvent({ type: "ADDED", object: object("b", "11") });
    client.lastWatch().callbacks.onEvent({ type: "DELETED", object: object("a", "12") });
    client.lastWatch().callbacks.onEvent({ type: "BOOKMARK", object: { metadata: { resourceVersion: "20" } } });
    client.lastWatch().callbacks.onEnd(undefined); // the server's timeout: resume at once
    expect(seen).toEqual(["replace a", "upsert b", "remove a"]);
    expect(client.watches.map((w) => w.resourceVersion)).toEqual(["10", "20"]);
    expect(client.lists).toBe(1);
  });

  it.each([
    ["a network error", undefined],
    ["a 500", 500],
    ["a 401", 401],
    ["a 403", 403],
  ])("resumes the watch after %s with a growing, jittered backoff", async (_what, status) => {
    const client = fakeClient(page([], "1"));
    const { loop, timers, events } = setup(client);
    loop.start();
    await timers.advance(0);
    for (let i = 0; i < 8; i++) {
      client.lastWatch().callbacks.onEnd({ status, message: "gone" });
      await timers.advance(60_000);
    }
    const delays = events.flatMap((e) => (e.kind === "retry" ? [e.delayMs] : []));
    // ceiling 500 * 2^n capped at 30 s; with random() = 0.5 the delay is 3/4 of the ceiling.
    expect(delays).toEqual([375, 750, 1500, 3000, 6000, 12_000, 22_500, 22_500]);
    expect(client.watches.length).toBe(9);
    expect(client.lists).toBe(1);
  });

  it("relists on 410 Gone and retries a failed list until one succeeds", async () => {
    const client = fakeClient(page([object("a", "1")], "1"), failure(503), failure(undefined), page([object("b", "9")], "9"));
    const { loop, timers, seen } = setup(client);
    loop.start();
    await timers.advance(0);
    client.lastWatch().callbacks.onEnd({ status: 410, message: "too old resource version" });
    await timers.advance(10_000);
    expect(client.lists).toBe(4);
    expect(seen).toEqual(["replace a", "replace b"]);
    expect(client.lastWatch().resourceVersion).toBe("9");
  });

  it("restarts a watch that goes silent past its timeout plus the grace, keeping the connection's data", async () => {
    const client = fakeClient(page([], "1"));
    const { loop, timers, events } = setup(client);
    loop.start();
    await timers.advance(0);
    const first = client.lastWatch();
    await timers.advance(75_000 + 29_000);
    expect(first.closed).toBe(false);
    await timers.advance(2000);
    expect(events.some((e) => e.kind === "stalled")).toBe(true);
    expect(first.closed).toBe(true);
    await timers.advance(1000);
    expect(client.watches.length).toBe(2);
    expect(client.lastWatch().resourceVersion).toBe("1");
  });

  it("treats a watch the server closes at once, with no event, as a failure (no hot loop)", async () => {
    const client = fakeClient(page([], "1"));
    const { loop, timers, events } = setup(client);
    loop.start();
    await timers.advance(0);
    client.lastWatch().callbacks.onEnd(undefined);
    expect(events.at(-1)).toMatchObject({ kind: "retry", why: "the watch closed at once" });
    expect(client.watches.length).toBe(1);
  });

  it("relists periodically and reports staleness from the last contact", async () => {
    const client = fakeClient(page([object("a", "1")], "1"));
    const { loop, timers, seen } = setup(client, { ...TUNING, relistIntervalMs: 100_000, watchTimeoutSeconds: 3600 });
    loop.start();
    await timers.advance(0);
    expect(loop.lastContactAt()).toBe(0);
    await timers.advance(125_000); // interval x 1.1 (jitter) = 110 s
    expect(client.lists).toBe(2);
    expect(seen).toEqual(["replace a", "replace a"]);
    expect(loop.lastContactAt()).toBe(110_000);
  });

  it("does nothing more once stopped, whatever arrives late", async () => {
    const client = fakeClient(page([], "1"));
    const { loop, timers, seen } = setup(client);
    loop.start();
    await timers.advance(0);
    const watch = client.lastWatch();
    loop.stop();
    watch.callbacks.onEvent({ type: "ADDED", object: object("late", "2") });
    watch.callbacks.onEnd({ status: 500, message: "late" });
    await timers.advance(3_600_000);
    expect(watch.closed).toBe(true);
    expect(seen).toEqual(["replace "]);
    expect(timers.pending()).toBe(0);
  });
});

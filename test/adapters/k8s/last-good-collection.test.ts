import { describe, expect, it } from "vitest";
import { createLastGoodCollection, type Interpretation } from "../../../src/adapters/k8s/last-good-collection.ts";

// Resources carry `spec.value`: a number is valid, anything else is a problem.
function interpret(object: unknown): Interpretation<number> {
  const value = (object as { spec?: { value?: unknown } }).spec?.value;
  return typeof value === "number"
    ? { value, issues: [] }
    : { value: undefined, issues: [{ path: "spec.value", message: "not a number" }] };
}

const res = (name: string, generation: number, value: unknown, uid = `uid-${name}`) => ({
  metadata: { name, namespace: "ns", uid, generation, resourceVersion: String(generation * 10) },
  spec: { value },
});

describe("last-good collection", () => {
  it("serves the last valid generation of a resource whose newer generation is invalid", () => {
    const c = createLastGoodCollection(interpret, true);
    c.upsert(res("a", 1, 1));
    expect(c.upsert(res("a", 2, "bad"))).toBe(true);
    expect(c.served()).toEqual([1]);
    expect(c.statuses()).toMatchObject([
      { key: "ns/a", generation: 2, accepted: false, servedGeneration: 1, issues: [{ path: "spec.value" }] },
    ]);
    c.upsert(res("a", 3, 3));
    expect(c.served()).toEqual([3]);
    expect(c.statuses()[0]).toMatchObject({ accepted: true, servedGeneration: 3, issues: [] });
  });

  it("serves nothing for a bad version when keepLastGood is off (API keys)", () => {
    const c = createLastGoodCollection(interpret, false);
    c.upsert(res("a", 1, 1));
    c.upsert(res("a", 2, "bad"));
    expect(c.served()).toEqual([]);
    expect(c.statuses()[0]).toMatchObject({ accepted: false, servedGeneration: undefined });
  });

  it("does not carry a deleted resource's last good version over to a re-created one (new uid)", () => {
    const c = createLastGoodCollection(interpret, true);
    c.upsert(res("a", 1, 1));
    c.upsert(res("a", 1, "bad", "uid-new"));
    expect(c.served()).toEqual([]);
  });

  it("interprets a generation once: status writes and label changes cost nothing", () => {
    let calls = 0;
    const c = createLastGoodCollection((o) => (calls++, interpret(o)), true);
    c.upsert(res("a", 1, 1));
    expect(c.upsert({ ...res("a", 1, 1), status: { x: 1 } })).toBe(false);
    expect(calls).toBe(1);
  });

  it("replace keeps what is still listed, drops what is gone, and orders by namespace/name", () => {
    const c = createLastGoodCollection(interpret, true);
    c.upsert(res("b", 1, 2));
    c.upsert(res("a", 1, 1));
    c.upsert(res("a", 2, "bad"));
    c.replace([res("c", 1, 3), res("a", 2, "bad")]);
    expect(c.served()).toEqual([1, 3]);
    expect(c.statuses().map((s) => s.key)).toEqual(["ns/a", "ns/c"]);
    expect(c.remove(res("c", 1, 3))).toBe(true);
    expect(c.served()).toEqual([1]);
  });

  it("ignores objects without metadata.name", () => {
    const c = createLastGoodCollection(interpret, true);
    expect(c.upsert({ spec: { value: 1 } })).toBe(false);
    expect(c.served()).toEqual([]);
  });
});

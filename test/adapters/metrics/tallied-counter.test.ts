import { Counter, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { talliedCounter } from "../../../src/adapters/metrics/tallied-counter.ts";

// A tallied counter must expose exactly what prom-client's own counter exposes for the same
// increments, scrape after scrape.
const LABELS = ["decision", "reason", "auth_method"] as const;

interface Pair {
  readonly tally: (values: string) => { count: number };
  readonly plain: Counter<(typeof LABELS)[number]>;
  readonly scrape: () => Promise<[string, string]>;
}

function pair(): Pair {
  const [a, b] = [new Registry(), new Registry()];
  const config = { name: "modelgate_decisions_total", help: "Check decisions by outcome and reason code", labelNames: LABELS };
  const tally = talliedCounter({ ...config, registers: [a] });
  const plain = new Counter({ ...config, registers: [b] });
  return { tally, plain, scrape: async () => [await a.metrics(), await b.metrics()] };
}

const cases: Record<string, readonly string[]> = {
  "nothing counted": [],
  "one label set once": ["allow|allowed|apikey"],
  "several label sets, repeated, interleaved": [
    "allow|allowed|apikey",
    "deny|credential_missing|none",
    "allow|allowed|apikey",
    "deny|rate_limited|jwt",
    "deny|credential_missing|none",
    "allow|allowed|apikey",
  ],
};

describe("talliedCounter exposes what prom-client's Counter does", () => {
  it.each(Object.entries(cases))("%s", async (_name, increments) => {
    const { tally, plain, scrape } = pair();
    for (const values of increments) {
      tally(values).count += 1;
      const [decision, reason, method] = values.split("|") as [string, string, string];
      plain.inc({ decision, reason, auth_method: method });
    }
    const [tallied, reference] = await scrape();
    expect(tallied).toBe(reference);
    if (increments.length > 0)
      expect(tallied).toContain('modelgate_decisions_total{decision="allow",reason="allowed",auth_method="apikey"}');
  });

  it("keeps counting across scrapes (a scrape does not reset the totals)", async () => {
    const { tally, plain, scrape } = pair();
    for (let round = 1; round <= 3; round += 1) {
      tally("deny|rate_limited|jwt").count += 2;
      plain.inc({ decision: "deny", reason: "rate_limited", auth_method: "jwt" }, 2);
      const [tallied, reference] = await scrape();
      expect(tallied).toBe(reference);
      expect(tallied).toContain(`auth_method="jwt"} ${2 * round}`);
    }
  });
});

import { Counter, type Registry } from "prom-client";

// A counter for the decision path. prom-client hashes and validates the label set on every
// `inc`, even on a child bound with `labels(...)` (≈ 0.5 µs; a decision increments several);
// here each label set's count is a plain number, handed to prom-client only when a scrape
// collects the metric. The exposition is the same: a label set appears once it was counted.
//
// A label set is named by its values joined with "|" in labelNames' order; the values come from
// closed sets (decisions, reason codes, modes) that never hold a "|".

export interface Tally {
  count: number;
}

export interface TalliedCounterConfig<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  readonly registers: Registry[];
}

// Returns the tally of a label set (created at its first use; keep or look it up per call).
export function talliedCounter<L extends string>(config: TalliedCounterConfig<L>): (labelValues: string) => Tally {
  const tallies = new Map<string, { readonly labels: Partial<Record<L, string>>; readonly tally: Tally }>();
  new Counter<L>({
    name: config.name,
    help: config.help,
    labelNames: config.labelNames,
    registers: config.registers,
    collect() {
      this.reset();
      for (const { labels, tally } of tallies.values()) this.inc(labels, tally.count);
    },
  });
  return (labelValues) => {
    let known = tallies.get(labelValues);
    if (known === undefined) {
      const values = labelValues.split("|");
      const labels: Partial<Record<L, string>> = {};
      config.labelNames.forEach((name, i) => (labels[name] = values[i] ?? ""));
      known = { labels, tally: { count: 0 } };
      tallies.set(labelValues, known);
    }
    return known.tally;
  };
}

import { spawnSync } from "node:child_process";

// Why ioredis' auto-pipelining promoted its batches (Decision 66), reduced to its pattern: an
// object that defines an accessor on itself in its constructor, with a fresh closure that reaches
// the object (ioredis' Pipeline does `Object.defineProperty(this, "length", { get })`). Each such
// object gets a hidden class of its own, kept in the old generation, whose descriptor points at the
// young getter; a scavenge treats old-to-young pointers as roots, so the getter, its context, the
// object and everything it holds survive until a mark-compact, and are promoted on the way.
// Runs the same allocation loop (short-lived objects holding 64 small records) with and without
// the accessor, each in a child Node with the image's young generation and --trace-gc-nvp, and
// prints what V8 promoted.
// Usage: node bench/accessor-promotion.ts [seconds, default 2]

const seconds = Number(process.argv[2] ?? 2);

const LOOP = `
const withAccessor = process.argv[1] === "accessor";
class Batch {
  constructor() {
    this.items = Array.from({ length: 64 }, (_, i) => ({ i, text: "item " + i }));
    const self = this;
    if (withAccessor) Object.defineProperty(this, "length", { get() { return self.items.length; } });
  }
}
let made = 0;
const until = Date.now() + ${seconds * 1000};
(function turn() {
  for (let i = 0; i < 200; i++) made += new Batch().items.length > 0 ? 1 : 0;
  if (Date.now() < until) setImmediate(turn);
  else process.stdout.write("made=" + made + "\\n");
})();
`;

function run(variant: string): { made: number; scavenges: number; promoted: number } {
  const child = spawnSync(process.execPath, ["--max-semi-space-size=16", "--trace-gc-nvp", "-e", LOOP, variant], {
    encoding: "utf8",
    maxBuffer: 256 * 2 ** 20,
  });
  const lines = child.stdout.split("\n");
  const promoted = lines.reduce((sum, line) => sum + Number(/ promoted=(\d+)/.exec(line)?.[1] ?? 0), 0);
  const scavenges = lines.filter((line) => / gc=s /.test(line)).length;
  const made = Number(lines.find((line) => line.startsWith("made="))?.slice(5) ?? Number.NaN);
  return { made, scavenges, promoted };
}

for (const variant of ["plain", "accessor"]) {
  const { made, scavenges, promoted } = run(variant);
  process.stdout.write(
    `${variant.padEnd(9)} ${made} objects, ${scavenges} scavenges, ${(promoted / 2 ** 20).toFixed(1)} MB promoted (${(promoted / made).toFixed(0)} B per object)\n`,
  );
}

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { benchFixture, checkRequest } from "./check-fixture.ts";
import { corePinning } from "./core-pinning.ts";
import { openLoop, runGhz, saturation, type LoadResult } from "./ghz.ts";
import { imageNodeFlags } from "./image-node-flags.ts";
import { memoryCgroup } from "./memory-cgroup.ts";
import { howEnded, spawnServer, type Spawned } from "./spawn-server.ts";

// Whether modelgate stays inside a pod's memory limit through a burst, and its tail after it:
// each system runs in a memory cgroup of `--limit` MiB (cgroup v1 or v2, as root), is saturated
// for `--seconds`, then driven open loop at `--rate` for 10 s. Prints the largest anonymous
// memory (RSS without file pages: the audit files' page cache is charged to the cgroup too but
// is reclaimable) sampled every 250 ms, the saturation rate, the p99.9 at the fixed rate, and
// whether the server survived (the OOM killer ends it at the limit). The default system runs with
// the image's Node flags; `--variant name=flags` replaces them, `--tree name=/path` runs another
// checkout with its own image flags. The bench's configuration (bench/check-fixture.ts).
// Usage: node bench/pod-memory.ts [--limit 256] [--seconds 15] [--rate 2500] [--variant …] [--tree …]

const { values } = parseArgs({
  options: {
    limit: { type: "string", default: "256" },
    seconds: { type: "string", default: "15" },
    rate: { type: "string", default: "2500" },
    variant: { type: "string", multiple: true, default: [] },
    tree: { type: "string", multiple: true, default: [] },
  },
});
const limitMb = Number(values.limit);
const root = join(import.meta.dirname, "..");
const { server: serverPrefix, ghz: ghzPrefix } = corePinning();

interface System {
  readonly name: string;
  readonly tree: string;
  readonly flags: readonly string[];
}

interface Outcome {
  readonly peakMb: number;
  readonly saturated: LoadResult | undefined;
  readonly fixed: LoadResult | undefined;
  readonly ended: string | undefined; // how the server ended during the run, if it did
}

async function measure(system: System, config: string, data: unknown): Promise<Outcome> {
  const cgroup = memoryCgroup(limitMb, serverPrefix, `modelgate-pod-${process.pid}`);
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, cgroup.anonBytes())), 250);
  let server: Spawned | undefined;
  try {
    // Inside the try: a server killed while it starts still leaves no sampler or cgroup behind.
    server = await spawnServer([...system.flags, join(system.tree, "src/cli/modelgate.ts"), "serve", "--config", config], {
      prefix: cgroup.prefix,
    });
    const { child } = server;
    const target = `127.0.0.1:${server.port}`;
    const saturated = await runGhz(target, data, saturation(Number(values.seconds)), ghzPrefix);
    const endedSaturated = howEnded(child);
    const fixed = endedSaturated === undefined ? await runGhz(target, data, openLoop(Number(values.rate), 10), ghzPrefix) : undefined;
    const ended = howEnded(child);
    // What ghz measured against a server that ended is its failures, not the server's figures.
    return {
      peakMb: peak / 2 ** 20,
      saturated: endedSaturated === undefined ? saturated : undefined,
      fixed: ended === undefined ? fixed : undefined,
      ended,
    };
  } finally {
    clearInterval(sampler);
    await server?.stop();
    cgroup.remove();
  }
}

const named = (spec: string): [string, string] => {
  const [name = "", ...rest] = spec.split("=");
  return [name, rest.join("=")];
};
const systems: System[] = [
  { name: "modelgate (image flags)", tree: root, flags: imageNodeFlags(root) },
  ...values.variant.map((v) => {
    const [name, flags] = named(v);
    return { name: `modelgate ${name}`, tree: root, flags: flags.split(/\s+/).filter((f) => f !== "") };
  }),
  ...values.tree.map((t) => {
    const [name, path] = named(t);
    return { name: `modelgate ${name}`, tree: path, flags: imageNodeFlags(path) };
  }),
];

const dir = mkdtempSync(join(tmpdir(), "modelgate-pod-"));
try {
  const fixture = benchFixture(dir);
  const data = checkRequest(fixture.key);
  process.stdout.write(
    `| system (${limitMb} MiB cgroup) | Node flags | peak anonymous MB | saturation rps | p99 / p99.9 ms at ${values.rate} rps | survived |\n|---|---|---|---|---|---|\n`,
  );
  for (const system of systems) {
    const o = await measure(system, fixture.config, data);
    const fixed = o.fixed === undefined ? "–" : `${o.fixed.p99.toFixed(1)} / ${o.fixed.p999.toFixed(1)}`;
    process.stdout.write(
      `| ${system.name} | ${system.flags.join(" ")} | ${o.peakMb.toFixed(0)} | ${o.saturated?.rps.toFixed(0) ?? "–"} | ${fixed} | ${o.ended === undefined ? "yes" : `no (${o.ended})`} |\n`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

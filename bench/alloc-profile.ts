import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { allocationReport, type SampledNode } from "./allocation-report.ts";
import { benchFixture, checkRequest } from "./check-fixture.ts";
import { openLoop, runGhz, saturation, WARM_UP_SECONDS } from "./ghz.ts";
import { spawnServer } from "./spawn-server.ts";
import { imageNodeFlags } from "./image-node-flags.ts";

// Where the saturated server's allocations come from: bench/heap-sampler.ts samples every
// allocation (freed ones included) while ghz runs, and each sampled byte is charged to the
// innermost frame from this repository's src/, else to the dependency or Node internals that
// allocated it. Figures are estimated bytes per answered call. With `--promoted` only what
// outlives a young-generation GC is counted (objects a scavenge frees are left out), at 1000 rps
// open loop: the bytes promoted to the old generation, which only a mark-compact frees.
// The server runs with the image's NODE_OPTIONS (its young-generation size decides promotion).
// With `--redis=URL` the server uses the Redis limiter there instead of the in-process one;
// `--anomaly` (with a Redis URL) adds anomaly detection; `--innermost` charges each sample to the
// very frame that allocated it (in a dependency too).
// Usage: node bench/alloc-profile.ts [seconds, default 8] [rows, default 25] [--promoted] [--redis=URL [--anomaly]] [--innermost]

const promoted = process.argv.includes("--promoted");
const innermost = process.argv.includes("--innermost");
const anomaly = process.argv.includes("--anomaly");
const redisUrl = process.argv.find((a) => a.startsWith("--redis="))?.slice("--redis=".length);
const [seconds = 8, rows = 25] = process.argv
  .slice(2)
  .filter((a) => !a.startsWith("--"))
  .map(Number);
const root = join(import.meta.dirname, "..");
const src = `${root}/src/`;

const dir = mkdtempSync(join(tmpdir(), "modelgate-alloc-"));
try {
  const fixture = benchFixture(dir);
  const data = checkRequest(fixture.key);
  const profile = join(dir, "heap.json");
  const env = { ...process.env, MODELGATE_HEAP_PROFILE: profile, MODELGATE_HEAP_SAMPLE_MINOR: promoted ? "0" : "1" };
  const server = await spawnServer(
    [
      ...imageNodeFlags(root),
      "--import",
      join(root, "bench/heap-sampler.ts"),
      join(root, "src/cli/modelgate.ts"),
      "serve",
      "--config",
      fixture.configFor(redisUrl, anomaly),
    ],
    { env },
  );
  let calls = 0;
  try {
    await runGhz(`127.0.0.1:${server.port}`, data, saturation(WARM_UP_SECONDS));
    server.child.kill("SIGUSR2");
    const load = promoted ? openLoop(1000, seconds) : saturation(seconds);
    const result = await runGhz(`127.0.0.1:${server.port}`, data, load);
    calls = result.count;
    server.child.kill("SIGUSR2");
    for (let i = 0; i < 100 && !existsSync(profile); i += 1) await new Promise((r) => setTimeout(r, 100));
  } finally {
    await server.stop();
  }
  const head = (JSON.parse(readFileSync(profile, "utf8")) as { head: SampledNode }).head;
  process.stdout.write(allocationReport(head, src, calls, rows, innermost));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { allocationReport, type SampledNode } from "./allocation-report.ts";
import { benchFixture, checkRequest } from "./check-fixture.ts";
import { runGhz } from "./ghz.ts";
import { spawnServer } from "./spawn-server.ts";

// Where the saturated server's allocations come from: bench/heap-sampler.ts samples every
// allocation (freed ones included) while ghz runs, and each sampled byte is charged to the
// innermost frame from this repository's src/, else to the dependency or Node internals that
// allocated it. Figures are estimated bytes per answered call.
// Usage: node bench/alloc-profile.ts [seconds, default 8] [rows, default 25]

const seconds = Number(process.argv[2] ?? 8);
const rows = Number(process.argv[3] ?? 25);
const root = join(import.meta.dirname, "..");
const src = `${root}/src/`;

const dir = mkdtempSync(join(tmpdir(), "modelgate-alloc-"));
try {
  const fixture = benchFixture(dir);
  const data = checkRequest(fixture.key);
  const profile = join(dir, "heap.json");
  const env = { ...process.env, MODELGATE_HEAP_PROFILE: profile };
  const server = await spawnServer(
    ["--import", join(root, "bench/heap-sampler.ts"), join(root, "src/cli/modelgate.ts"), "serve", "--config", fixture.config],
    { env },
  );
  let calls = 0;
  try {
    await runGhz(`127.0.0.1:${server.port}`, data, ["--cpus", "1", "-c", "8", "-n", "2000"]);
    server.child.kill("SIGUSR2");
    const result = await runGhz(`127.0.0.1:${server.port}`, data, ["--cpus", "1", "-c", "64", "--connections", "4", "-z", `${seconds}s`]);
    calls = result.count;
    server.child.kill("SIGUSR2");
    for (let i = 0; i < 100 && !existsSync(profile); i += 1) await new Promise((r) => setTimeout(r, 100));
  } finally {
    await server.stop();
  }
  const head = (JSON.parse(readFileSync(profile, "utf8")) as { head: SampledNode }).head;
  process.stdout.write(allocationReport(head, src, calls, rows));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

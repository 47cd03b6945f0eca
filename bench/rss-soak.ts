import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchFixture, checkRequest } from "./check-fixture.ts";
import { runGhz } from "./ghz.ts";
import { imageNodeFlags } from "./image-node-flags.ts";
import { spawnServer } from "./spawn-server.ts";

// Is modelgate's memory flat under a steady load? Drives the bench pipeline open loop at a fixed
// rate for several minutes, samples the server's RSS every 10 s, and prints the samples and the
// range from the third minute on (the first two are warm-up: the heap grows to its working size).
// `--noop` soaks the no-op grpc-js handler instead, for the plateau to compare with.
// Usage: node bench/rss-soak.ts [minutes, default 10] [rps, default 300] [--noop]

const noop = process.argv.includes("--noop");
const [minutes = 10, rps = 300] = process.argv
  .slice(2)
  .filter((a) => !a.startsWith("--"))
  .map(Number);
const root = join(import.meta.dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "modelgate-soak-"));
try {
  const fixture = benchFixture(dir);
  const server = await spawnServer(
    noop
      ? [join(root, "bench/noop-server.ts")]
      : [...imageNodeFlags(root), join(root, "src/cli/modelgate.ts"), "serve", "--config", fixture.config],
  );
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push((server.rssBytes() ?? Number.NaN) / 1_048_576), 10_000);
  try {
    const load = ["--cpus", "1", "-c", "50", "--connections", "2", "--rps", String(rps), "-z", `${minutes * 60}s`];
    const result = await runGhz(`127.0.0.1:${server.port}`, checkRequest(fixture.key), load);
    process.stdout.write(`${result.count} calls at ${result.rps.toFixed(0)} rps, p99 ${result.p99.toFixed(1)} ms\n`);
  } finally {
    clearInterval(sampler);
    await server.stop();
  }
  const steady = samples.slice(12);
  process.stdout.write(`RSS MB every 10 s: ${samples.map((s) => s.toFixed(0)).join(" ")}\n`);
  process.stdout.write(`from the third minute on: ${Math.min(...steady).toFixed(0)}–${Math.max(...steady).toFixed(0)} MB\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

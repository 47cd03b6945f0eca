import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { benchFixture, checkRequest } from "./check-fixture.ts";
import { corePinning } from "./core-pinning.ts";
import { openLoop, runGhz, saturation, WARM_UP_SECONDS } from "./ghz.ts";
import { imageNodeFlags } from "./image-node-flags.ts";
import { spawnServer } from "./spawn-server.ts";
import { isMarkCompact, isScavenge, parseGcLine } from "./gc-line.ts";

// Which calls of a fixed-rate window were slow, and whether a GC pause explains them: starts
// modelgate (the bench's configuration, the image's Node flags) or, with `--floor`, the
// transport's floor server, under --trace-gc-nvp; saturates it for the bench's warm-up, then
// drives it open loop at `--rate` and lists every call slower than `--over` ms with the GC
// pauses that overlapped it (a pause ends when V8 prints its line: it ran from that moment
// less its length). The last line counts the slow calls that no pause overlapped, a
// mark-compact did, or only scavenges did. `--flags` replaces the image's Node flags.
// Usage: node bench/slow-calls.ts [--rate 1000] [--seconds 10] [--over 3] [--floor] [--flags "…"]

const { values } = parseArgs({
  options: {
    rate: { type: "string", default: "1000" },
    seconds: { type: "string", default: "10" },
    over: { type: "string", default: "3" },
    floor: { type: "boolean", default: false },
    flags: { type: "string" },
  },
});
const over = Number(values.over);
const root = join(import.meta.dirname, "..");
const { server: serverPrefix, ghz: ghzPrefix } = corePinning();

interface Pause {
  readonly kind: string; // GcEvent's
  readonly fromMs: number; // epoch ms
  readonly toMs: number;
}

const dir = mkdtempSync(join(tmpdir(), "modelgate-slow-calls-"));
try {
  const fixture = benchFixture(dir);
  const flags = values.flags === undefined ? imageNodeFlags(root) : values.flags.split(/\s+/).filter((f) => f !== "");
  const program = values.floor
    ? [join(root, "bench/http2-floor-server.ts")]
    : [join(root, "src/cli/modelgate.ts"), "serve", "--config", fixture.config];
  const pauses: Pause[] = [];
  const server = await spawnServer([...flags, ...program], {
    gcTrace: true,
    prefix: serverPrefix,
    onGcLine: (line) => {
      const now = Date.now();
      const { kind, pause } = parseGcLine(line);
      pauses.push({ kind, fromMs: now - pause, toMs: now });
    },
  });
  try {
    const target = `127.0.0.1:${server.port}`;
    const data = checkRequest(fixture.key);
    await runGhz(target, data, saturation(WARM_UP_SECONDS), ghzPrefix);
    const startedMs = Date.now();
    const load = await runGhz(target, data, openLoop(Number(values.rate), Number(values.seconds)), ghzPrefix);
    const inWindow = pauses.filter((p) => p.toMs >= startedMs);
    const slow = load.calls.filter((c) => c.ms > over).sort((a, b) => a.startMs - b.startMs);
    const tally = { none: 0, markCompact: 0, scavenge: 0 };
    for (const call of slow) {
      const overlapping = inWindow.filter((p) => p.fromMs <= call.startMs + call.ms && p.toMs >= call.startMs);
      if (overlapping.length === 0) tally.none += 1;
      else if (overlapping.some(isMarkCompact)) tally.markCompact += 1;
      else tally.scavenge += 1;
      const gcs = overlapping
        .map((p) => `${p.kind} ${(p.toMs - p.fromMs).toFixed(1)} ms at +${(p.fromMs - startedMs).toFixed(0)}`)
        .join(", ");
      process.stdout.write(`+${(call.startMs - startedMs).toFixed(0).padStart(6)} ms  ${call.ms.toFixed(2).padStart(6)} ms  ${gcs}\n`);
    }
    const count = (is: (p: Pause) => boolean) => inWindow.filter(is).length;
    process.stdout.write(
      `${values.floor ? "floor" : "modelgate"} at ${values.rate} rps: ${load.count} calls, p99.9 ${load.p999.toFixed(2)} ms; ` +
        `${slow.length} over ${over} ms: ${tally.none} with no GC pause, ${tally.markCompact} in a mark-compact, ${tally.scavenge} in a scavenge; ` +
        `${count(isScavenge)} scavenges and ${count(isMarkCompact)} mark-compacts in the window\n`,
    );
  } finally {
    await server.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

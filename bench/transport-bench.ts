import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchFixture, checkRequest } from "./check-fixture.ts";
import { runGhz, saturation, WARM_UP_SECONDS } from "./ghz.ts";
import { corePinning } from "./core-pinning.ts";
import { spawnServer } from "./spawn-server.ts";
import { median } from "./stats.ts";

// The gRPC edge alone: no-op Check servers (bench/transport-servers.ts) on different transports,
// each saturated by ghz in alternating rounds, server pinned to core 0 and ghz to core 1. Prints
// the server's CPU µs and V8 heap bytes allocated per call, medians over the rounds.
// Usage: node bench/transport-bench.ts [rounds, default 4] [seconds, default 6] [modes, default grpc-js,http2,edge]

const rounds = Number(process.argv[2] ?? 4);
const seconds = Number(process.argv[3] ?? 6);
const modes = (process.argv[4] ?? "grpc-js,http2,edge").split(",");
const prefix = corePinning();
const script = join(import.meta.dirname, "transport-servers.ts");

interface Figures {
  readonly rps: number;
  readonly cpu: number;
  readonly alloc: number;
  readonly errors: number;
}

async function saturate(mode: string, data: unknown): Promise<Figures> {
  const server = await spawnServer([script, mode], { gcTrace: true, prefix: prefix.server });
  try {
    const target = `127.0.0.1:${server.port}`;
    await runGhz(target, data, saturation(WARM_UP_SECONDS), prefix.ghz);
    const [cpu0, alloc0] = [server.cpuMicros() ?? Number.NaN, server.allocatedBytes() ?? Number.NaN];
    const r = await runGhz(target, data, saturation(seconds), prefix.ghz);
    const ok = r.statuses["OK"] ?? 0;
    return {
      rps: r.rps,
      cpu: ((server.cpuMicros() ?? Number.NaN) - cpu0) / r.count,
      alloc: ((server.allocatedBytes() ?? Number.NaN) - alloc0) / r.count,
      errors: r.count - ok,
    };
  } finally {
    await server.stop();
  }
}

const dir = mkdtempSync(join(tmpdir(), "modelgate-transport-"));
try {
  const data = checkRequest(benchFixture(dir).key);
  const all = new Map<string, Figures[]>(modes.map((m) => [m, []]));
  for (let i = 0; i < rounds; i += 1) {
    const line: string[] = [];
    for (const mode of modes) {
      const f = await saturate(mode, data);
      all.get(mode)?.push(f);
      line.push(`${mode} ${f.rps.toFixed(0)} rps ${f.cpu.toFixed(0)} µs ${f.alloc.toFixed(0)} B (${f.errors} not OK)`);
    }
    process.stdout.write(`round ${i + 1}: ${line.join(" | ")}\n`);
  }
  for (const [mode, figures] of all) {
    const m = (pick: (f: Figures) => number) => median(figures.map(pick));
    process.stdout.write(
      `${mode}: ${m((f) => f.rps).toFixed(0)} rps, ${m((f) => f.cpu).toFixed(0)} µs CPU, ${m((f) => f.alloc).toFixed(0)} B allocated per call\n`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

import { mkdtempSync, rmSync } from "node:fs";
import { cpus as machineCpus, tmpdir } from "node:os";
import { join } from "node:path";
import { startBenchRedis } from "./bench-redis.ts";
import { benchFixture, checkRequest, redisLimiter, wrongKeyRequest } from "./check-fixture.ts";
import { CFS_PERIOD_US, cpuBudget, type CpuBudget } from "./cpu-budget.ts";
import { runGhz, WARM_UP_SECONDS, type LoadResult } from "./ghz.ts";
import { imageNodeFlags } from "./image-node-flags.ts";
import { spawnServer, stopChild, type Spawned } from "./spawn-server.ts";
import { median } from "./stats.ts";
import { verifyDecisions } from "./verify-check.ts";
import { freePort } from "../test/harness/managed-process.ts";

// More than one core (README "More than one core"): modelgate decides on one thread, so a pod
// uses more cores by running more processes. This measures whether decisions per second grow with
// processes when each has a CPU budget of its own, as each would have a core of its own:
//   - one process;
//   - two processes on one port (`reusePort`: the kernel hands each connection to one of them);
//   - two processes on two ports, one load generator each (two endpoints of Envoy's ext_authz
//     cluster, which balances request by request).
// A budget is a CFS quota (bench/cpu-budget.ts: what a Kubernetes CPU limit is) below one core,
// so that the load generator (ghz, unpinned, 64 calls on 8 connections in all) keeps the rest
// of the machine and a process's budget, not the generator, is the limit. Every layout uses the
// Redis limiter (in-process limits would count per process) and each process writes its own
// audit chain; Redis has no budget. Needs root for the cgroups.
// Usage: node bench/multi-process.ts [seconds, default 8] [rounds, default 3] [CPUs per process, default 0.3]

const [seconds = 8, rounds = 3, cpusPerProcess = 0.3] = process.argv.slice(2).map(Number);
const CALLS = 64;
const CONNECTIONS = 8;
const root = join(import.meta.dirname, "..");
// The warm-up gives each process the CPU time it would get in WARM_UP_SECONDS on a core of its
// own: V8 optimises by work done, and a budget of 0.3 CPU does a third of it per second.
const warmUpSeconds = Math.ceil(WARM_UP_SECONDS / Math.min(1, cpusPerProcess));

interface Layout {
  readonly name: string;
  readonly processes: number;
  readonly sharedPort: boolean;
}
const LAYOUTS: readonly Layout[] = [
  { name: "one process", processes: 1, sharedPort: false },
  { name: "two processes, one port (reusePort)", processes: 2, sharedPort: true },
  { name: "two processes, two ports (a load generator each)", processes: 2, sharedPort: false },
];

interface Sample {
  readonly rps: number;
  readonly cpuPerDecision: number; // µs, all processes
  readonly budgetUse: readonly number[]; // per process: CPU used / budget
  readonly throttled: readonly number[]; // per process: share of CFS periods throttled
  readonly ghzPerCall: number; // µs
  readonly p99: number; // ms, the worst generator's
}

const load = (calls: number, connections: number, s: number): string[] => [
  "--cpus",
  "2",
  "-c",
  String(calls),
  "--connections",
  String(connections),
  "-z",
  `${s}s`,
];

// One generator for one port; one per port, sharing the calls and connections, for several.
function drive(ports: readonly number[], data: unknown, s: number): Promise<LoadResult[]> {
  const n = ports.length;
  return Promise.all(ports.map((port) => runGhz(`127.0.0.1:${port}`, data, load(CALLS / n, CONNECTIONS / n, s))));
}

const budgets: CpuBudget[] = [];
const dir = mkdtempSync(join(tmpdir(), "modelgate-multi-"));
let redis: Awaited<ReturnType<typeof startBenchRedis>> | undefined;
try {
  for (const n of [0, 1]) {
    const budget = cpuBudget(`modelgate-bench-${process.pid}-${n}`, cpusPerProcess);
    if (typeof budget === "string") {
      process.stderr.write(`multi-process: ${budget}\n`);
      process.exit(2);
    }
    budgets.push(budget);
  }
  const fixture = benchFixture(dir);
  const data = checkRequest(fixture.key);
  const wrongKey = wrongKeyRequest(fixture.key);
  redis = await startBenchRedis(dir);
  const ownPorts = fixture.redisConfig(redis.url);
  const sharedPort = fixture.configWith("modelgate-shared-port.yaml", {
    ...redisLimiter(redis.url),
    listen: `127.0.0.1:${await freePort()}`,
    reusePort: true,
  });

  const start = (layout: Layout): Promise<Spawned[]> =>
    Promise.all(
      budgets.slice(0, layout.processes).map((budget, n) =>
        spawnServer(
          [...imageNodeFlags(root), join(root, "src/cli/modelgate.ts"), "serve", "--config", layout.sharedPort ? sharedPort : ownPorts],
          {
            prefix: budget.prefix,
            env: { ...process.env, MODELGATE_AUDIT_FILE: join(dir, `audit-${n}`, "audit.jsonl") },
          },
        ),
      ),
    );

  async function measure(layout: Layout): Promise<Sample> {
    const servers = await start(layout);
    try {
      const ports = [...new Set(servers.map((s) => s.port))];
      for (const port of ports) await verifyDecisions(layout.name, port, data, wrongKey);
      await drive(ports, data, warmUpSeconds);
      const cpu0 = servers.map((s) => s.cpuMicros() ?? Number.NaN);
      const throttled0 = servers.map((_, n) => budgets[n]?.throttledPeriods() ?? Number.NaN);
      const t0 = performance.now();
      const runs = await drive(ports, data, seconds);
      const elapsedUs = (performance.now() - t0) * 1000;
      const cpu = servers.map((s, n) => (s.cpuMicros() ?? Number.NaN) - (cpu0[n] ?? Number.NaN));
      const calls = runs.reduce((sum, r) => sum + r.count, 0);
      const periods = elapsedUs / CFS_PERIOD_US;
      return {
        rps: runs.reduce((sum, r) => sum + r.rps, 0),
        cpuPerDecision: cpu.reduce((a, b) => a + b, 0) / calls,
        budgetUse: cpu.map((used) => used / (cpusPerProcess * elapsedUs)),
        throttled: servers.map((_, n) => ((budgets[n]?.throttledPeriods() ?? Number.NaN) - (throttled0[n] ?? Number.NaN)) / periods),
        ghzPerCall: runs.reduce((sum, r) => sum + r.generatorCpuMicros, 0) / calls,
        p99: Math.max(...runs.map((r) => r.p99)),
      };
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
  }

  const samples = new Map<Layout, Sample[]>(LAYOUTS.map((l) => [l, []]));
  for (let round = 0; round < rounds; round += 1) {
    // Rotating order, so that a drift of the machine spreads over every layout.
    for (let i = 0; i < LAYOUTS.length; i += 1) {
      const layout = LAYOUTS[(round + i) % LAYOUTS.length] as Layout;
      samples.get(layout)?.push(await measure(layout));
    }
  }

  const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
  const base = median((samples.get(LAYOUTS[0] as Layout) ?? []).map((s) => s.rps));
  process.stdout.write(
    `${machineCpus().length} × ${machineCpus()[0]?.model ?? "?"}, Node ${process.version}; each process a budget of ${cpusPerProcess} CPU ` +
      `(CFS quota, ${CFS_PERIOD_US / 1000} ms period); medians of ${rounds} rounds of ${seconds} s after ${warmUpSeconds} s of warm-up; Redis limiter\n\n`,
  );
  process.stdout.write(
    "| layout | decisions/s (× one process) | server CPU µs / decision | each process's use of its budget | CFS periods throttled | ghz CPU µs / call | p99 ms |\n" +
      "|---|---|---|---|---|---|---|\n",
  );
  for (const layout of LAYOUTS) {
    const runs = samples.get(layout) ?? [];
    const of = (pick: (s: Sample) => number) => median(runs.map(pick));
    const perProcess = (pick: (s: Sample) => readonly number[]) =>
      Array.from({ length: layout.processes }, (_, n) => pct(of((s) => pick(s)[n] ?? Number.NaN))).join(" / ");
    const rps = of((s) => s.rps);
    process.stdout.write(
      `| ${layout.name} | ${rps.toFixed(0)} (${(rps / base).toFixed(2)}×) | ${of((s) => s.cpuPerDecision).toFixed(0)} | ` +
        `${perProcess((s) => s.budgetUse)} | ${perProcess((s) => s.throttled)} | ${of((s) => s.ghzPerCall).toFixed(0)} | ${of((s) => s.p99).toFixed(1)} |\n`,
    );
  }
} finally {
  if (redis !== undefined) await stopChild(redis.child);
  for (const budget of budgets) {
    try {
      budget.remove();
    } catch {
      // a process still inside; the kernel frees the cgroup once it is empty and removed later
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

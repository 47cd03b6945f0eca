import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchFixture, checkRequest } from "./check-fixture.ts";
import { runGhz, saturation, WARM_UP_SECONDS } from "./ghz.ts";
import { spawnServer } from "./spawn-server.ts";

// Where the server's time goes under saturation: runs check-bench's pipeline under
// `node --cpu-prof` and reads only the samples taken while the load ran. Each sample is charged
// to the innermost frame from this repository's src/ (so a digest counts against the function
// that asked for it, not against node:crypto), or to a bucket (GC, idle, grpc-js and other
// dependencies, Node internals) when no such frame is on the stack. Figures are shares of the
// main thread's wall time and µs of it per answered call; "inclusive" counts a function with
// everything it called. A saturated server on a shared machine is also descheduled at times,
// which the samples share out in proportion.
// Usage: node bench/profile-check.ts [seconds, default 10] [rows, default 25] [redis URL]
// With a Redis URL the server uses the Redis limiter there instead of the in-process one.

const seconds = Number(process.argv[2] ?? 10);
const rows = Number(process.argv[3] ?? 25);
const redisUrl = process.argv[4];
const root = join(import.meta.dirname, "..");
const src = `${root}/src/`;

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}
interface CpuProfile {
  readonly startTime: number; // µs, CLOCK_MONOTONIC like process.hrtime
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const isOwn = (node: ProfileNode): boolean => node.callFrame.url.includes(src);
const labelOf = (node: ProfileNode): string =>
  `${node.callFrame.functionName || "(anonymous)"} ${node.callFrame.url.split(src)[1]}:${node.callFrame.lineNumber + 1}`;

function bucketOf(frame: ProfileNode["callFrame"]): string {
  if (frame.functionName.startsWith("(")) return frame.functionName; // (garbage collector), (idle), (program)
  if (frame.url.includes("/node_modules/")) return `deps: ${frame.url.split("/node_modules/").at(-1)?.split("/")[0] ?? "?"}`;
  return "node internals";
}

function add(map: Map<string, number>, key: string, us: number): void {
  map.set(key, (map.get(key) ?? 0) + us);
}

// Self time by innermost own frame, by area (src/<layer>/<area>), and inclusive time of every
// own function, over the samples taken between `from` and `to` (µs, monotonic).
function charge(profile: CpuProfile, from: number, to: number) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const areas = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let at = profile.startTime;
  let total = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    at += us;
    if (at < from || at > to) return;
    total += us;
    const leaf = byId.get(id);
    let innermost: string | undefined;
    const seen = new Set<string>();
    for (let node = leaf; node !== undefined; node = byId.get(parent.get(node.id) ?? -1)) {
      if (!isOwn(node)) continue;
      const label = labelOf(node);
      innermost ??= label;
      if (!seen.has(label)) add(inclusive, label, us);
      seen.add(label);
    }
    const key = innermost ?? (leaf === undefined ? "?" : bucketOf(leaf.callFrame));
    add(self, key, us);
    add(areas, innermost === undefined ? key : (key.split(" ")[1] ?? "?").split("/").slice(0, 2).join("/").replace(/:\d+$/, ""), us);
  });
  return { self, areas, inclusive, total };
}

function report(profile: CpuProfile, from: number, to: number, calls: number): string {
  const { self, areas, inclusive, total } = charge(profile, from, to);
  const line = (k: string, us: number) =>
    `${((us / total) * 100).toFixed(1).padStart(5)} % ${(us / calls).toFixed(1).padStart(7)} µs  ${k}`;
  const top = (m: Map<string, number>, n: number, keep: (k: string) => boolean = () => true) =>
    [...m.entries()]
      .filter(([k]) => keep(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, us]) => line(k, us));
  return [
    `window: ${(total / 1e6).toFixed(1)} s of main-thread samples, ${calls} calls; share and µs per call`,
    "by area:",
    ...top(areas, 14),
    "by function (self, innermost frame of src/):",
    ...top(self, rows),
    "audit, inclusive:",
    ...top(inclusive, 12, (k) => k.includes("/audit/")),
  ].join("\n");
}

const microsNow = (): number => Number(process.hrtime.bigint() / 1000n);

const dir = mkdtempSync(join(tmpdir(), "modelgate-profile-"));
try {
  const fixture = benchFixture(dir);
  const { key } = fixture;
  const config = fixture.configFor(redisUrl);
  const data = checkRequest(key);
  const profiles = join(dir, "profiles");
  const server = await spawnServer([
    "--cpu-prof",
    `--cpu-prof-dir=${profiles}`,
    join(root, "src/cli/modelgate.ts"),
    "serve",
    "--config",
    config,
  ]);
  let window = { from: 0, to: 0, calls: 0, rps: 0 };
  try {
    await runGhz(`127.0.0.1:${server.port}`, data, saturation(WARM_UP_SECONDS));
    const from = microsNow();
    const result = await runGhz(`127.0.0.1:${server.port}`, data, saturation(seconds));
    window = { from, to: microsNow(), calls: result.count, rps: result.rps };
  } finally {
    await server.stop();
  }
  const file = readdirSync(profiles).find((f) => f.endsWith(".cpuprofile"));
  if (file === undefined) throw new Error("the server wrote no CPU profile");
  const profile = JSON.parse(readFileSync(join(profiles, file), "utf8")) as CpuProfile;
  process.stdout.write(`saturated: ${window.rps.toFixed(0)} rps\n${report(profile, window.from, window.to, window.calls)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

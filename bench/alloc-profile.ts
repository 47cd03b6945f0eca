import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

interface Node {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly Node[];
}

function bucket(frame: Node["callFrame"]): string {
  if (frame.url.includes("/node_modules/")) return `deps: ${frame.url.split("/node_modules/").at(-1)?.split("/")[0] ?? "?"}`;
  if (frame.url === "") return frame.functionName === "" ? "(vm)" : `(${frame.functionName})`;
  return `node: ${frame.url.replace(/^node:/, "")} ${frame.functionName}`;
}

function charge(node: Node, own: string | undefined, totals: Map<string, number>): void {
  const f = node.callFrame;
  const mine = f.url.includes(src) ? `${f.functionName || "(anonymous)"} ${f.url.split(src)[1]}:${f.lineNumber + 1}` : own;
  const key = mine ?? bucket(f);
  if (node.selfSize > 0) totals.set(key, (totals.get(key) ?? 0) + node.selfSize);
  for (const child of node.children) charge(child, mine, totals);
}

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
  const totals = new Map<string, number>();
  charge((JSON.parse(readFileSync(profile, "utf8")) as { head: Node }).head, undefined, totals);
  const all = [...totals.values()].reduce((a, b) => a + b, 0);
  const lines = [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, rows)
    .map(([k, bytes]) => `${((bytes / all) * 100).toFixed(1).padStart(5)} % ${(bytes / calls).toFixed(0).padStart(7)} B  ${k}`);
  process.stdout.write(`${calls} calls; ${(all / calls).toFixed(0)} B sampled per call\n${lines.join("\n")}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

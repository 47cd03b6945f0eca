import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { benchFixture, checkRequest } from "./check-fixture.ts";
import { openLoop, runGhz } from "./ghz.ts";
import { spawnServer } from "./spawn-server.ts";

// What a server under steady load keeps alive per request: two heap snapshots (Node's
// --heapsnapshot-signal, each after a full GC) taken `gap` seconds apart while ghz drives
// modelgate open loop. Objects in the second snapshot whose ids are not in the first were
// allocated between the two and are still reachable: per-request state that outlives its request
// (or the window of in-flight calls). Each such object is charged to the edge from an older object
// that reaches it first (breadth-first through new objects), which names the retainer: the map,
// queue or closure holding it. Prints counts and bytes of the new objects by retainer and by kind.
// Usage: node bench/heap-retainers.ts [rps, default 500] [gap seconds, default 6] [rows, default 25] [redis URL]
// With a Redis URL the server uses the Redis limiter there instead of the in-process one.

const rps = Number(process.argv[2] ?? 500);
const gap = Number(process.argv[3] ?? 6);
const rows = Number(process.argv[4] ?? 25);
const redisUrl = process.argv[5];
const root = join(import.meta.dirname, "..");

interface Snapshot {
  readonly snapshot: {
    readonly meta: {
      readonly node_fields: string[];
      readonly edge_fields: string[];
      readonly node_types: [string[]];
      readonly edge_types: [string[]];
    };
  };
  readonly nodes: number[];
  readonly edges: number[];
  readonly strings: string[];
}

function load(file: string): Snapshot {
  return JSON.parse(readFileSync(file, "utf8")) as Snapshot;
}

function ids(s: Snapshot): Set<number> {
  const width = s.snapshot.meta.node_fields.length;
  const at = s.snapshot.meta.node_fields.indexOf("id");
  const out = new Set<number>();
  for (let i = 0; i < s.nodes.length; i += width) out.add(s.nodes[i + at] as number);
  return out;
}

function add(map: Map<string, { count: number; bytes: number }>, key: string, bytes: number): void {
  const entry = map.get(key) ?? { count: 0, bytes: 0 };
  entry.count++;
  entry.bytes += bytes;
  map.set(key, entry);
}

function diff(before: Set<number>, s: Snapshot): string {
  const meta = s.snapshot.meta;
  const nw = meta.node_fields.length;
  const ew = meta.edge_fields.length;
  const [fType = 0, fName = 0, fId = 0, fSize = 0, fEdges = 0] = ["type", "name", "id", "self_size", "edge_count"].map((f) =>
    meta.node_fields.indexOf(f),
  );
  const [eType = 0, eName = 0, eTo = 0] = ["type", "name_or_index", "to_node"].map((f) => meta.edge_fields.indexOf(f));
  const nodeTypes = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const count = s.nodes.length / nw;
  const firstEdge = new Uint32Array(count + 1);
  for (let n = 0; n < count; n++) firstEdge[n + 1] = (firstEdge[n] as number) + (s.nodes[n * nw + fEdges] as number) * ew;
  const name = (n: number) => {
    const type = nodeTypes[s.nodes[n * nw + fType] as number] ?? "?";
    const text = s.strings[s.nodes[n * nw + fName] as number] ?? "?";
    return type === "object" || type === "closure"
      ? `${type} ${text}`
      : `(${type})${type === "string" || type === "concatenated string" ? "" : ` ${text.slice(0, 40)}`}`;
  };
  const isNew = (n: number) => !before.has(s.nodes[n * nw + fId] as number);
  const size = (n: number) => s.nodes[n * nw + fSize] as number;
  const edgeLabel = (e: number) => {
    const type = edgeTypes[s.edges[e + eType] as number];
    const v = s.edges[e + eName] as number;
    return type === "element" || type === "hidden" ? `[${type}]` : (s.strings[v] ?? "?");
  };
  // Breadth-first from the roots; a new object reached first from an old one is charged to that edge.
  const owner = new Array<string | undefined>(count);
  const seen = new Uint8Array(count);
  let queue = [0];
  seen[0] = 1;
  while (queue.length > 0) {
    const next: number[] = [];
    for (const n of queue) {
      for (let e = firstEdge[n] as number; e < (firstEdge[n + 1] as number); e += ew) {
        if (edgeTypes[s.edges[e + eType] as number] === "weak") continue;
        const to = (s.edges[e + eTo] as number) / nw;
        if (seen[to] === 1) continue;
        seen[to] = 1;
        if (isNew(to)) owner[to] = isNew(n) ? owner[n] : `${name(n)} .${edgeLabel(e)}`;
        next.push(to);
      }
    }
    queue = next;
  }
  const byOwner = new Map<string, { count: number; bytes: number }>();
  const byKind = new Map<string, { count: number; bytes: number }>();
  let total = 0;
  for (let n = 0; n < count; n++) {
    if (!isNew(n) || seen[n] !== 1) continue;
    total += size(n);
    add(byOwner, owner[n] ?? "?", size(n));
    add(byKind, name(n), size(n));
  }
  const top = (m: Map<string, { count: number; bytes: number }>) =>
    [...m.entries()]
      .sort((a, b) => b[1].bytes - a[1].bytes)
      .slice(0, rows)
      .map(([k, v]) => `${String(v.count).padStart(8)} ${(v.bytes / 1024).toFixed(0).padStart(8)} KB  ${k}`);
  return [
    `new reachable objects: ${(total / 2 ** 20).toFixed(1)} MB`,
    "by retainer (the older object and edge that reach them first):",
    ...top(byOwner),
    "by kind:",
    ...top(byKind),
  ].join("\n");
}

const dir = mkdtempSync(join(tmpdir(), "modelgate-retainers-"));
try {
  const fixture = benchFixture(dir);
  const { key } = fixture;
  const config = fixture.configFor(redisUrl);
  const server = await spawnServer(["--heapsnapshot-signal=SIGUSR2", join(root, "src/cli/modelgate.ts"), "serve", "--config", config], {
    cwd: dir,
  });
  const snapshots = () => readdirSync(dir).filter((f) => f.endsWith(".heapsnapshot"));
  const snap = async (n: number) => {
    server.child.kill("SIGUSR2");
    while (snapshots().length < n) await sleep(200);
    // The file is complete once its size stops changing.
    const file = join(dir, snapshots().sort()[n - 1] as string);
    for (let size = -1; size !== statSync(file).size; await sleep(1000)) size = statSync(file).size;
  };
  try {
    const traffic = runGhz(`127.0.0.1:${server.port}`, checkRequest(key), openLoop(rps, gap * 2 + 30));
    await sleep(8000);
    await snap(1);
    await sleep(gap * 1000);
    await snap(2);
    await traffic;
  } finally {
    await server.stop();
  }
  const [first, second] = snapshots().sort();
  const before = ids(load(join(dir, first as string)));
  process.stdout.write(`${rps} rps, snapshots ${gap} s apart\n${diff(before, load(join(dir, second as string)))}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

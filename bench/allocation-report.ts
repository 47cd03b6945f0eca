// Reads a sampling heap profile (HeapProfiler.stopSampling) for bench/alloc-profile.ts and
// bench/decide-alloc.ts: each sampled byte is charged to the innermost frame from this
// repository's src/, else to the dependency or Node internals that allocated it, and the
// largest shares are printed as estimated bytes per call.

export interface SampledNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly SampledNode[];
}

function bucket(frame: SampledNode["callFrame"]): string {
  if (frame.url.includes("/node_modules/")) return `deps: ${frame.url.split("/node_modules/").at(-1)?.split("/")[0] ?? "?"}`;
  if (frame.url === "") return frame.functionName === "" ? "(vm)" : `(${frame.functionName})`;
  return `node: ${frame.url.replace(/^node:/, "")} ${frame.functionName}`;
}

function charge(node: SampledNode, src: string, own: string | undefined, totals: Map<string, number>): void {
  const f = node.callFrame;
  const mine = f.url.includes(src) ? `${f.functionName || "(anonymous)"} ${f.url.split(src)[1]}:${f.lineNumber + 1}` : own;
  const key = mine ?? bucket(f);
  if (node.selfSize > 0) totals.set(key, (totals.get(key) ?? 0) + node.selfSize);
  for (const child of node.children) charge(child, src, mine, totals);
}

// `src`: the absolute path of the tree's src/ directory, with a trailing slash.
export function allocationReport(head: SampledNode, src: string, calls: number, rows: number): string {
  const totals = new Map<string, number>();
  charge(head, src, undefined, totals);
  const all = [...totals.values()].reduce((a, b) => a + b, 0);
  const lines = [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, rows)
    .map(([k, bytes]) => `${((bytes / all) * 100).toFixed(1).padStart(5)} % ${(bytes / calls).toFixed(0).padStart(7)} B  ${k}`);
  return `${calls} calls; ${(all / calls).toFixed(0)} B sampled per call\n${lines.join("\n")}\n`;
}

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

// The frame itself, wherever it is: what `innermost` charges every sample to.
function frameLabel(frame: SampledNode["callFrame"]): string {
  const file = frame.url.includes("/node_modules/") ? frame.url.split("/node_modules/").at(-1) : frame.url;
  return `${frame.functionName || "(anonymous)"} ${file}:${frame.lineNumber + 1}`;
}

function charge(node: SampledNode, src: string, own: string | undefined, totals: Map<string, number>, innermost: boolean): void {
  const f = node.callFrame;
  const mine = f.url.includes(src) ? `${f.functionName || "(anonymous)"} ${f.url.split(src)[1]}:${f.lineNumber + 1}` : own;
  const key = innermost && f.url !== "" ? frameLabel(f) : (mine ?? bucket(f));
  if (node.selfSize > 0) totals.set(key, (totals.get(key) ?? 0) + node.selfSize);
  for (const child of node.children) charge(child, src, mine, totals, innermost);
}

// `src`: the absolute path of the tree's src/ directory, with a trailing slash. `innermost`
// charges each sample to the frame that allocated it, in a dependency or Node's own code too
// (which object of a library is it), instead of to the nearest frame of ours.
export function allocationReport(head: SampledNode, src: string, calls: number, rows: number, innermost = false): string {
  const totals = new Map<string, number>();
  charge(head, src, undefined, totals, innermost);
  const all = [...totals.values()].reduce((a, b) => a + b, 0);
  const lines = [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, rows)
    .map(([k, bytes]) => `${((bytes / all) * 100).toFixed(1).padStart(5)} % ${(bytes / calls).toFixed(0).padStart(7)} B  ${k}`);
  return `${calls} calls; ${(all / calls).toFixed(0)} B sampled per call\n${lines.join("\n")}\n`;
}

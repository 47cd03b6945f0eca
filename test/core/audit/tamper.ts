import { canonicalJson } from "../../../src/core/audit/canonical-json.ts";
import { recordHash, type ChainHead } from "../../../src/core/audit/chain.ts";

// What an attacker can do to audit lines, for the tamper matrix and its fixture files.

export type Rec = Record<string, unknown>;
export const parse = (line: string): Rec => JSON.parse(line) as Rec;
const withoutHash = (r: Rec): Rec => Object.fromEntries(Object.entries(r).filter(([k]) => k !== "hash"));
const write = (r: Rec): string => canonicalJson(r as never);
export const rehash = (r: Rec): string => write({ ...withoutHash(r), hash: recordHash(withoutHash(r) as never) });

export function edit(lines: string[], index: number, change: (r: Rec) => Rec, redoHash: boolean): string[] {
  const out = [...lines];
  const changed = change(parse(out[index] ?? ""));
  out[index] = redoHash ? rehash(changed) : write(changed);
  return out;
}

// What an attacker without the signing key can do: edit, then re-link every later record.
export function rewriteFrom(lines: string[], index: number, change: (r: Rec) => Rec): string[] {
  const out = edit(lines, index, change, true);
  for (let i = index + 1; i < out.length; i += 1) {
    const prevHash = parse(out[i - 1] ?? "")["hash"];
    const r: Rec = { ...parse(out[i] ?? ""), prev: prevHash };
    if (r["type"] === "checkpoint") r["head"] = { seq: (r["seq"] as number) - 1, hash: prevHash };
    out[i] = rehash(r);
  }
  return out;
}

export const headBefore = (lines: string[], index: number): ChainHead => {
  const r = parse(lines[index - 1] ?? "");
  return { chain: r["chain"] as string, seq: r["seq"] as number, hash: r["hash"] as string };
};
export const without = (lines: string[], ...indexes: number[]): string[] => lines.filter((_, i) => !indexes.includes(i));
export const swap = (lines: string[], a: number, b: number): string[] => {
  const out = [...lines];
  [out[a], out[b]] = [out[b] ?? "", out[a] ?? ""];
  return out;
};
export const flipToDeny = (r: Rec): Rec => ({ ...r, decision: "deny", reason: "policy_denied" });

import type { Result } from "../result.ts";
import { err, ok } from "../result.ts";
import { percentDecode } from "./percent-decode.ts";

export type QueryMap = ReadonlyMap<string, readonly string[]>;

// Raw control characters never appear in a valid request-target.
const RAW_CONTROL = /[\u0000-\u001f\u007f]/;

// application/x-www-form-urlencoded rules: `&` separates pairs, the first `=` splits name from
// value, `+` is a space, escapes decode once. Repeated names keep every value in order, so a
// later consumer can refuse ambiguity instead of silently taking the first or last.
export function parseQuery(query: string): Result<QueryMap, string> {
  if (RAW_CONTROL.test(query)) {
    return err("query contains a control character");
  }
  const values = new Map<string, string[]>();
  if (query === "") {
    return ok(values);
  }
  for (const pair of query.split("&")) {
    if (pair === "") {
      continue;
    }
    const decoded = decodePair(pair);
    if (!decoded.ok) {
      return decoded;
    }
    const [name, value] = decoded.value;
    const list = values.get(name);
    if (list === undefined) {
      values.set(name, [value]);
    } else {
      list.push(value);
    }
  }
  for (const list of values.values()) {
    Object.freeze(list);
  }
  return ok(values);
}

function decodePair(pair: string): Result<readonly [string, string], string> {
  const eq = pair.indexOf("=");
  const name = percentDecode(eq < 0 ? pair : pair.slice(0, eq), true);
  if (!name.ok) {
    return err(`query name: ${name.error}`);
  }
  const value = percentDecode(eq < 0 ? "" : pair.slice(eq + 1), true);
  if (!value.ok) {
    return err(`query value of "${name.value}": ${value.error}`);
  }
  // A decoded NUL is refused as in the path: C-based servers would truncate at it.
  if (name.value.includes("\u0000") || value.value.includes("\u0000")) {
    return err("query contains an encoded NUL");
  }
  return ok([name.value, value.value] as const);
}

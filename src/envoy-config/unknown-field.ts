import type { Type } from "protobufjs";
import { messageFullName } from "./proto-json-names.ts";

// A typo ("adress", "filter_chain") is the commonest config mistake; naming the closest real
// field turns "unknown field" into a fix.

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_v, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? Number.POSITIVE_INFINITY;
}

function normalized(name: string): string {
  return name.replace(/_/g, "").toLowerCase();
}

export function closestFieldName(type: Type, key: string): string | undefined {
  const target = normalized(key);
  let best: { name: string; distance: number } | undefined;
  for (const field of type.fieldsArray) {
    const name = normalized(field.name);
    // A truncated name ("port" for port_value) is as likely a slip as a typo.
    const distance = target.length >= 4 && name.startsWith(target) ? 1 : editDistance(target, name);
    if (best === undefined || distance < best.distance) best = { name: field.name, distance };
  }
  return best !== undefined && best.distance <= Math.max(1, Math.floor(target.length / 4)) ? best.name : undefined;
}

export function unknownFieldMessage(type: Type, key: string): string {
  const suggestion = closestFieldName(type, key);
  return `unknown field "${key}" in ${messageFullName(type)}${suggestion === undefined ? "" : ` (did you mean "${suggestion}"?)`}`;
}

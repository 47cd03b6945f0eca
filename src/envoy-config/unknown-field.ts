import type { Type } from "protobufjs";
import { messageFullName } from "./proto-json-names.ts";
import { editDistance } from "../core/edit-distance.ts";

// A typo ("adress", "filter_chain") is the commonest config mistake; naming the closest real
// field turns "unknown field" into a fix.

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

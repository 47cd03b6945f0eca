import { describe, readString, type FieldParser } from "../core/parse/fields.ts";

// Readers the JWT configuration needs beyond the parse kit (core/parse/fields.ts), in the same style: record an
// Issue with its path and return undefined, never throw.

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export function textParser(max: number): FieldParser<string> {
  return (value, path, issues) => {
    const text = readString(value, path, issues);
    if (text === undefined) return undefined;
    if (text.length === 0 || text.length > max) issues.push({ path, message: `must be 1 to ${max} characters` });
    else if (CONTROL.test(text)) issues.push({ path, message: "must not contain control characters" });
    else return text;
    return undefined;
  };
}

// Seconds may be fractional (a 0.5 s timeout), within [min, max].
export function secondsParser(min: number, max: number): FieldParser<number> {
  return (value, path, issues) => {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      issues.push({ path, message: `expected a number of seconds, got ${describe(value)}` });
      return undefined;
    }
    if (value < min || value > max) {
      issues.push({ path, message: `must be between ${min} and ${max}, got ${value}` });
      return undefined;
    }
    return value;
  };
}

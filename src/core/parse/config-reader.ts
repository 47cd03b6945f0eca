import type { Issue } from "../result.ts";
import { fieldPath, isPlainObject, rejectUnknownKeys } from "./fields.ts";

// Reads a configuration section from `unknown`, collecting every problem with its path instead
// of stopping at the first. A field is named by its dotted path inside the section being
// parsed ("file.maxBytes"); its last segment is the key read from the given mapping.

type Raw = Readonly<Record<string, unknown>>;

export class ConfigReader {
  readonly issues: Issue[] = [];
  readonly prefix: string;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  issue(field: string, message: string): void {
    this.issues.push({ path: fieldPath(this.prefix, field), message });
  }

  // undefined is an empty section; anything but a mapping, and any unknown key, is an issue.
  section(value: unknown, field: string, keys: readonly string[]): Raw {
    if (value === undefined || value === null) return {};
    if (!isPlainObject(value)) {
      this.issue(field, "must be a mapping");
      return {};
    }
    rejectUnknownKeys(value, keys, fieldPath(this.prefix, field), this.issues);
    return value;
  }

  private read(raw: Raw, field: string): unknown {
    return raw[field.slice(field.lastIndexOf(".") + 1)];
  }

  string(raw: Raw, field: string, fallback: string): string {
    const value = this.read(raw, field) ?? fallback;
    if (typeof value === "string") return value;
    this.issue(field, "must be a string");
    return fallback;
  }

  integer(raw: Raw, field: string, fallback: number, min: number, max: number): number {
    const value = this.read(raw, field) ?? fallback;
    if (typeof value === "number" && Number.isSafeInteger(value) && value >= min && value <= max) return value;
    this.issue(field, `must be an integer from ${min} to ${max}`);
    return fallback;
  }

  boolean(raw: Raw, field: string, fallback: boolean): boolean {
    const value = this.read(raw, field) ?? fallback;
    if (typeof value === "boolean") return value;
    this.issue(field, "must be true or false");
    return fallback;
  }

  oneOf<T extends string>(raw: Raw, field: string, allowed: readonly T[], fallback: T): T {
    const value = this.read(raw, field) ?? fallback;
    if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
    this.issue(field, `must be one of ${allowed.join(", ")} (got ${JSON.stringify(value)})`);
    return fallback;
  }
}

// Attacker-influenced values (claims, key ids, request ids, addresses) keep their content in an
// audit record — the canonical serializer escapes every control character losslessly — but
// their size is bounded, so a megabyte claim still yields one record of bounded size.
// The bound is on the serialized form (escapes included), measured in UTF-8 bytes.

export interface BoundedText {
  readonly text: string;
  readonly truncated: boolean;
}

// Bytes one code point takes inside a canonical JSON string (see canonical-json.ts).
function escapedBytes(cp: number): number {
  if (cp === 0x22 || cp === 0x5c) return 2; // \" and \\
  if (cp === 0x08 || cp === 0x09 || cp === 0x0a || cp === 0x0c || cp === 0x0d) return 2; // \b \t \n \f \r
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp === 0x2028 || cp === 0x2029) return 6; // \uXXXX
  if (cp >= 0xd800 && cp <= 0xdfff) return 6; // a lone surrogate, escaped by JSON.stringify
  if (cp < 0x80) return 1;
  if (cp < 0x800) return 2;
  return cp < 0x10000 ? 3 : 4;
}

export function boundText(value: string, maxBytes: number): BoundedText {
  // Every UTF-16 unit serializes to at most 6 bytes: short strings need no walk.
  if (value.length * 6 <= maxBytes) return { text: value, truncated: false };
  let bytes = 0;
  let end = 0;
  while (end < value.length) {
    const cp = value.codePointAt(end) ?? 0;
    bytes += escapedBytes(cp);
    if (bytes > maxBytes) return { text: value.slice(0, end), truncated: true };
    end += cp > 0xffff ? 2 : 1;
  }
  return { text: value, truncated: false };
}

// Collects the names of fields that had to be cut, so a reader knows a value is a prefix.
export class FieldBounds {
  readonly truncated: string[] = [];

  text(field: string, value: string, maxBytes: number): string {
    // The usual short value: no BoundedText to allocate (a record bounds a dozen fields).
    if (value.length * 6 <= maxBytes) return value;
    const bounded = boundText(value, maxBytes);
    if (bounded.truncated) this.mark(field);
    return bounded.text;
  }

  mark(field: string): void {
    if (!this.truncated.includes(field)) this.truncated.push(field);
  }

  optional(field: string, value: string | undefined, maxBytes: number): string | null {
    return value === undefined ? null : this.text(field, value, maxBytes);
  }
}

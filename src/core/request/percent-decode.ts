import type { Result } from "../result.ts";
import { err, ok } from "../result.ts";

const HEX_ESCAPE = /%(?![0-9A-Fa-f]{2})/;

// Decodes percent-escapes exactly once and requires the bytes to be well-formed UTF-8.
// decodeURIComponent already rejects overlong forms, surrogates and truncated sequences, so the
// only extra work is reporting `%zz` / a trailing `%4` with a readable message.
export function percentDecode(text: string, plusAsSpace: boolean): Result<string, string> {
  const spaced = plusAsSpace ? text.replaceAll("+", " ") : text;
  if (!spaced.includes("%")) {
    return ok(spaced);
  }
  const bad = HEX_ESCAPE.exec(spaced);
  if (bad !== null) {
    return err(`invalid percent-escape at offset ${bad.index}`);
  }
  try {
    return ok(decodeURIComponent(spaced));
  } catch {
    return err("percent-escapes do not form valid UTF-8");
  }
}

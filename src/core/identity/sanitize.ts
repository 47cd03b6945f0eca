// Identity values (key subjects, JWT claims, certificate names) are attacker-influenced and end
// up in upstream headers and log lines. CR/LF/NUL would let them split a header or forge a log
// record (security.md R1, L1, T17); Envoy answers 500 to an invalid header mutation.

// C0 controls, DEL, C1 controls (C1 0x9B is an ANSI escape introducer) and the Unicode
// line/paragraph separators that some log viewers treat as newlines.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const REPLACEMENT = "\ufffd";

// Returns a value safe for an HTTP header and a log field: unsafe characters become U+FFFD (visible,
// and never merges two tokens into one), lone surrogates become U+FFFD, the result is trimmed of
// spaces (HTTP drops them anyway) and at most `maxLen` UTF-16 units long, cut on a code point.
export function sanitizeHeaderValue(value: string, maxLen = 256): string {
  const limit = Math.max(0, Math.floor(maxLen));
  const clean = value.toWellFormed().replace(UNSAFE, REPLACEMENT).trim();
  return truncate(clean, limit).trimEnd();
}

function truncate(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const last = text.charCodeAt(limit - 1);
  // Never keep the high half of a surrogate pair without its low half.
  const end = last >= 0xd800 && last <= 0xdbff ? limit - 1 : limit;
  return text.slice(0, end);
}

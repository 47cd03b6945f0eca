const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

// Every value of the named top-level members of a JSON object, in text order.
// JSON.parse keeps only the LAST of duplicate member names; other parsers keep the first or
// refuse. Seeing every occurrence is the only way to notice a body two servers would read
// differently, and a reviver cannot help because it runs after duplicates are merged.
// Names are compared after JSON unescaping, so `"mod\u0065l"` counts as `model`.
// Precondition: JSON.parse accepted `text` and its root is an object.
export function topLevelMembers(text: string, names: readonly string[]): ReadonlyMap<string, readonly unknown[]> {
  const found = new Map<string, unknown[]>();
  let i = skipWhitespace(text, skipWhitespace(text, 0) + 1);
  while (text.charCodeAt(i) === QUOTE) {
    const nameEnd = endOfString(text, i);
    const name = JSON.parse(text.slice(i, nameEnd)) as string;
    const valueStart = skipWhitespace(text, skipWhitespace(text, nameEnd) + 1);
    const valueEnd = endOfValue(text, valueStart);
    if (names.includes(name)) {
      const list = found.get(name) ?? [];
      list.push(JSON.parse(text.slice(valueStart, valueEnd)));
      found.set(name, list);
    }
    i = skipWhitespace(text, valueEnd);
    if (text.charCodeAt(i) !== COMMA) {
      break;
    }
    i = skipWhitespace(text, i + 1);
  }
  return found;
}

function skipWhitespace(text: string, from: number): number {
  let i = from;
  while (isWhitespace(text.charCodeAt(i))) {
    i++;
  }
  return i;
}

// `start` is an opening quote; returns the index after the closing one. A quote is closing when
// an even number of backslashes precedes it. Linear: each backslash run precedes one quote.
function endOfString(text: string, start: number): number {
  let from = start + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) {
      return text.length;
    }
    let run = 0;
    while (text.charCodeAt(quote - 1 - run) === BACKSLASH) {
      run++;
    }
    if (run % 2 === 0) {
      return quote + 1;
    }
    from = quote + 1;
  }
}

function endOfValue(text: string, start: number): number {
  const first = text.charCodeAt(start);
  if (first === QUOTE) {
    return endOfString(text, start);
  }
  if (isOpener(first)) {
    return endOfContainer(text, start);
  }
  let i = start;
  while (i < text.length && !endsPrimitive(text.charCodeAt(i))) {
    i++;
  }
  return i;
}

// Jumps from one structural character to the next with a regex: a char-by-char loop costs
// more than JSON.parse itself on long number arrays (embeddings input, token ids).
function endOfContainer(text: string, start: number): number {
  const structural = /["{}[\]]/g;
  structural.lastIndex = start;
  let depth = 0;
  for (let match = structural.exec(text); match !== null; match = structural.exec(text)) {
    const code = text.charCodeAt(match.index);
    if (code === QUOTE) {
      structural.lastIndex = endOfString(text, match.index);
      continue;
    }
    depth += isOpener(code) ? 1 : -1;
    if (depth === 0) {
      return match.index + 1;
    }
  }
  return text.length;
}

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0d || code === 0x0a;
}

function isOpener(code: number): boolean {
  return code === OPEN_BRACE || code === OPEN_BRACKET;
}

function endsPrimitive(code: number): boolean {
  return code === COMMA || code === CLOSE_BRACE || code === CLOSE_BRACKET || isWhitespace(code);
}

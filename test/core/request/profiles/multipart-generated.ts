// Generated multipart/form-data uploads over the spellings parsers disagree on: header-name case
// and whitespace, disposition types, parameter names, case, repeats and `*` forms, token and
// quoted values with backslash and percent escapes, repeated or missing Content-Disposition,
// folding, bare LF/CR (in headers, before a delimiter, everywhere), transfer encodings and charsets, filenames on fields, preambles,
// transport padding, closing delimiters and epilogues, boundary text inside parts. Canonical
// choices are repeated in each list so that many bodies stay readable.
import fc from "fast-check";
import { bodyBytes } from "./multipart-spellings.ts";
import type { Upload } from "./multipart-oracles.ts";

// The canonical choice most of the time, one of the variants now and then: a body holds ~30
// choices, so each must be rare for many bodies to stay readable by every parser.
function mostly<T>(canonical: T, ...variants: T[]): fc.Arbitrary<T> {
  return fc.oneof({ arbitrary: fc.constant(canonical), weight: 24 }, { arbitrary: fc.constantFrom(...variants), weight: 1 });
}

const name = fc.constantFrom("model", "model", "model", "stream", "stream", "file", "other", "_charset_", "Model");
const spelledValue = (n: string): fc.Arbitrary<string> =>
  mostly(
    `"${n}"`,
    n,
    n,
    `"${n} "`,
    `"\ufeff${n}"`,
    `"${n}; x=y"`,
    `utf-8''${n}`,
    `"${n.slice(0, 2)}\\${n.slice(2)}"`,
    `"%${n.charCodeAt(0).toString(16)}${n.slice(1)}"`,
    `'${n}'`,
    `"${n}"x`,
    `"${n}\\"`,
    `"=?utf-8?q?${n}?="`,
    `"${n}`,
  );
const key = fc.constantFrom("name", "NAME", "Name", "name*", "filename", "FILENAME", "filename*", "foo", "name*0");
const equals = mostly("=", " = ", "= ", " =");
const extraParameter = fc.tuple(key, equals, name.chain(spelledValue)).map(([k, e, v]) => `${k}${e}${v}`);
const separator = mostly("; ", ";", " ; ", ";\t", ";\r\n ", ";\n ", "; ;", ", ");
const dispositionType = mostly("form-data", "Form-Data", "attachment", "inline", "", "form-data ");
const headerName = mostly(
  "Content-Disposition",
  "content-disposition",
  "CONTENT-DISPOSITION",
  "Content-Disposition ",
  "Content_Disposition",
  " Content-Disposition",
);
const colon = mostly(": ", ":", ":  ", ":\t");
const trailing = mostly("", ";", " ", "\t");
const EXTRA_HEADERS = [
  "Content-Type: text/plain",
  "Content-Type: text/plain; charset=utf-7",
  "Content-Type: application/octet-stream",
  "Content-Type: text/plain; charset=ISO-8859-1",
  "Content-Length: 4",
  "Content-Length: 5",
  "Content-Transfer-Encoding: base64",
  "Content-Transfer-Encoding: 8bit",
  "Content-Transfer-Encoding: quoted-printable",
  "X-Foo: bar",
  'Content-Disposition: form-data; name="other"',
  'Content-Disposition: form-data; name="model"',
  "content-disposition: form-data; name=model",
];
const headerLineBreak = mostly("\r\n", "\n", "\r");
const VALUES: Record<string, readonly string[]> = {
  model: ["alpha", "beta", "beta", "b\u20acta", "YmV0YQ==", "+AGIAZQB0AGE-", "", "beta\r", "\ufeffbeta"],
  stream: ["true", "false", "true", "True", "1", "dHJ1ZQ=="],
  other: ["x", "x", "x", "x", "x", "x", "x", "x", "x", "RIFF\x00\x01\xff", "\r\n--{B}X", "{B}", "tail\r", "\r\n--{B}-", "--{B}"],
};
const padding = mostly("", " ", "\t");

const disposition = fc
  .record({
    partName: name,
    type: dispositionType,
    header: headerName,
    colon,
    sep: separator,
    trailing,
    extras: fc.oneof(
      { arbitrary: fc.constant([]), weight: 8 },
      { arbitrary: fc.array(extraParameter, { minLength: 1, maxLength: 2 }), weight: 1 },
    ),
    at: fc.nat(2),
  })
  .chain((d) => spelledValue(d.partName).map((value) => ({ ...d, value })))
  .map((d) => {
    const parameters = [...d.extras];
    parameters.splice(Math.min(d.at, parameters.length), 0, `name=${d.value}`);
    return { partName: d.partName, line: `${d.header}${d.colon}${d.type}${parameters.map((p) => `${d.sep}${p}`).join("")}${d.trailing}` };
  });

const part = fc
  .record({
    disposition,
    extras: fc.oneof(
      { arbitrary: fc.constant([]), weight: 6 },
      { arbitrary: fc.shuffledSubarray(EXTRA_HEADERS, { minLength: 1, maxLength: 2 }), weight: 1 },
    ),
    placement: mostly("first", "last", "none"),
    lineBreak: headerLineBreak,
    padding,
    delimiterBreak: mostly("\r\n", "\n"),
    valueIndex: fc.nat(20),
  })
  .map((p) => {
    const values = VALUES[p.disposition.partName] ?? VALUES.other ?? [];
    const value = values[p.valueIndex % values.length] ?? "";
    const lines =
      p.placement === "none" ? p.extras : p.placement === "first" ? [p.disposition.line, ...p.extras] : [...p.extras, p.disposition.line];
    return { padding: p.padding, delimiterBreak: p.delimiterBreak, text: `${lines.join(p.lineBreak)}\r\n\r\n${value}` };
  });

const contentType = fc
  .record({
    type: mostly("multipart/form-data", "Multipart/Form-Data", "multipart/mixed"),
    boundary: mostly("boundary={B}", 'boundary="{B}"', "BOUNDARY={B}", "boundary = {B}"),
    extra: mostly("", "; charset=utf-8", "; charset=UTF-7", "; charset=latin-1", "; boundary=other", "; foo=bar"),
    sep: mostly("; ", ";"),
  })
  .map((c) => `${c.type}${c.sep}${c.boundary}${c.extra}`);

export const upload: fc.Arbitrary<Upload> = fc
  .record({
    // Quoting is needed for the last three; "aa" overlaps itself in "--aaa".
    boundary: fc.oneof(
      { arbitrary: fc.constantFrom("Bnd7", "----formdata-undici-0123456789"), weight: 12 },
      { arbitrary: fc.constantFrom("x'(+_,-./:=?)", "with space", "aa"), weight: 1 },
    ),
    contentType,
    preamble: mostly("", "\r\n", "junk\r\n", 'Content-Disposition: form-data; name="model"\r\n\r\nbeta\r\n'),
    parts: fc.array(part, { minLength: 1, maxLength: 4 }),
    closing: mostly("--", "-", "", "--  "),
    lfOnly: mostly(false, true),
    epilogue: mostly(
      "\r\n",
      "",
      "\r\n\r\n",
      "junk",
      '\r\n--{B}\r\nContent-Disposition: form-data; name="model"\r\n\r\nbeta\r\n--{B}--\r\n',
    ),
  })
  .map((u) => {
    const parts = u.parts.map((p) => `--{B}${p.padding}\r\n${p.text}${p.delimiterBreak}`).join("");
    const crlfBody = `${u.preamble}${parts}--{B}${u.closing}${u.epilogue}`;
    const body = u.lfOnly ? crlfBody.replaceAll("\r\n", "\n") : crlfBody;
    return { contentType: u.contentType.replaceAll("{B}", u.boundary), bytes: bodyBytes(body.replaceAll("{B}", u.boundary)) };
  });

import { err, ok } from "../../result.ts";
import type { Result } from "../../result.ts";

// Splits PEM text into its CERTIFICATE blocks. Scanned with indexOf rather than a regex so that
// a hostile header full of BEGIN lines costs linear time. Text between blocks is allowed (CA
// bundles carry comments), but any other block type is refused: a private key pasted into a
// bundle, or a "TRUSTED CERTIFICATE" with OpenSSL trust settings we would silently ignore.

const BEGIN = "-----BEGIN ";
const DASHES = "-----";
const END = "-----END CERTIFICATE-----";
const BASE64_BODY = /^[A-Za-z0-9+/=\s]*$/;
const MAX_LABEL = 40;

export function splitPemCertificates(text: string): Result<string[], string> {
  const blocks: string[] = [];
  let position = 0;
  for (;;) {
    const begin = text.indexOf(BEGIN, position);
    if (begin < 0) return ok(blocks);
    const labelEnd = text.indexOf(DASHES, begin + BEGIN.length);
    const label = labelEnd < 0 ? "" : text.slice(begin + BEGIN.length, labelEnd);
    if (label !== "CERTIFICATE") {
      return err(`PEM block ${blocks.length + 1} is "${label.slice(0, MAX_LABEL)}"; only CERTIFICATE blocks are accepted`);
    }
    const end = text.indexOf(END, labelEnd + DASHES.length);
    if (end < 0) return err(`PEM block ${blocks.length + 1} has no END CERTIFICATE line`);
    if (!BASE64_BODY.test(text.slice(labelEnd + DASHES.length, end))) {
      return err(`PEM block ${blocks.length + 1} is not base64`);
    }
    position = end + END.length;
    blocks.push(text.slice(begin, position));
  }
}

// Exactly one certificate and nothing else but whitespace: what Envoy sends for the peer leaf.
export function singlePemCertificate(text: string): Result<string, string> {
  const blocks = splitPemCertificates(text);
  if (!blocks.ok) return blocks;
  const [only] = blocks.value;
  if (blocks.value.length !== 1 || only === undefined) return err(`expected one PEM certificate, found ${blocks.value.length}`);
  if (text.trim() !== only) return err("unexpected text around the PEM certificate");
  return ok(only);
}

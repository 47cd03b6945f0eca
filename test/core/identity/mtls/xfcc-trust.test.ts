import { describe, expect, it } from "vitest";
import { selectXfccElement } from "../../../../src/core/identity/mtls/xfcc-trust.ts";
import type { XfccMode, XfccTrust } from "../../../../src/core/identity/mtls/xfcc-trust.ts";

// Which element a trust mode uses. "client" is what the caller wrote itself; "proxy-N" what the
// N-th proxy appended (the last one is next to modelgate).

function trust(mode: XfccMode, trustedHops = 1): XfccTrust {
  return { mode, trustedHops, maxBytes: 32 * 1024 };
}

const ONE = "URI=spiffe://td/proxy-1";
const CHAIN = "URI=spiffe://td/client,URI=spiffe://td/proxy-1,URI=spiffe://td/proxy-2";

describe("selectXfccElement", () => {
  it.each<[string, XfccTrust, string | undefined, string]>([
    ["ignore: a header is never read", trust("ignore"), CHAIN, "absent"],
    ["ignore: even a malformed one", trust("ignore"), 'URI="', "absent"],
    ["ignore is the default mode and needs no header", trust("ignore"), undefined, "absent"],
    ["sanitize-set: no header", trust("sanitize-set"), undefined, "absent"],
    ["sanitize-set: the single element", trust("sanitize-set"), ONE, "spiffe://td/proxy-1"],
    [
      "sanitize-set: two elements mean the proxy did not sanitize",
      trust("sanitize-set"),
      CHAIN,
      "malformed: sanitize-set expects exactly one element, found 3",
    ],
    ["sanitize-set: a malformed header", trust("sanitize-set"), 'URI="x', "malformed: unterminated quoted value starting at offset 4"],
    ["append 1: the last element (our proxy's), never the first", trust("append", 1), CHAIN, "spiffe://td/proxy-2"],
    ["append 2: the element the trusted hop before it appended", trust("append", 2), CHAIN, "spiffe://td/proxy-1"],
    ["append 3: exactly as many elements as trusted hops", trust("append", 3), CHAIN, "spiffe://td/client"],
    [
      "append 4: fewer elements than trusted hops",
      trust("append", 4),
      CHAIN,
      "malformed: append with trustedHops 4 needs at least that many elements, found 3",
    ],
    ["append: a single element", trust("append", 1), ONE, "spiffe://td/proxy-1"],
    [
      "append: oversized header",
      { mode: "append", trustedHops: 1, maxBytes: 1024 },
      `URI=${"a".repeat(1100)}`,
      "malformed: the header is longer than 1024 bytes",
    ],
  ])("%s", (_name, config, header, expected) => {
    const selection = selectXfccElement(header, config);
    const got =
      selection.kind === "selected"
        ? (selection.element.uris[0] ?? "")
        : selection.kind === "malformed"
          ? `malformed: ${selection.detail.replace("x-forwarded-client-cert: ", "")}`
          : "absent";
    expect(got).toBe(expected);
  });
});

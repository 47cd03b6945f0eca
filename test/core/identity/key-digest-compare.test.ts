import { describe, expect, it } from "vitest";
import { buildKeyIndex, verifyApiKey } from "../../../src/core/identity/key-store.ts";
import { SHA256_DIGEST_PREFIX } from "../../../src/core/identity/api-key-record.ts";
import { T0, mintFrom, recordOf } from "./helpers.ts";

// The stored digest is kept as canonical lower-case hex and compared as text. A record built
// in code (not parsed, so not checked) must match exactly the keys the byte compare matched.
const bob = mintFrom("bob");
const good = recordOf(bob.key, { subject: "bob" });
const hex = good.digest.slice(SHA256_DIGEST_PREFIX.length);

const cases: readonly [string, string, boolean][] = [
  ["the digest as written", good.digest, true],
  ["upper-case hex (decoded to the same bytes)", SHA256_DIGEST_PREFIX + hex.toUpperCase(), true],
  ["one hex digit changed in the first byte", SHA256_DIGEST_PREFIX + (hex[0] === "0" ? "1" : "0") + hex.slice(1), false],
  ["one hex digit changed in the last byte", SHA256_DIGEST_PREFIX + hex.slice(0, -1) + (hex.endsWith("0") ? "1" : "0"), false],
  ["a digest one byte short", SHA256_DIGEST_PREFIX + hex.slice(0, -2), false],
  ["a digest one byte long", `${SHA256_DIGEST_PREFIX}${hex}00`, false],
  ["a digest that is not hex", SHA256_DIGEST_PREFIX + "z".repeat(64), false],
  ["an empty digest", SHA256_DIGEST_PREFIX, false],
];

describe("API key digest comparison", () => {
  it.each(cases)("%s → matches: %s", (_name, digest, matches) => {
    const { index } = buildKeyIndex([{ ...good, digest }]);
    const outcome = verifyApiKey(index, bob.key, T0);
    expect(outcome.kind).toBe(matches ? "identified" : "rejected");
    if (!matches) expect(outcome).toMatchObject({ reason: "api_key_unknown" });
  });
});

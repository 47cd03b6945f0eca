import { describe, expect, it } from "vitest";
import { sourceNetwork } from "../../../src/core/anomaly/source-network.ts";
import { parseStatusPattern, statusMatches, type StatusPattern } from "../../../src/core/anomaly/status-pattern.ts";

describe("sourceNetwork", () => {
  it.each([
    ["203.0.113.7:51234", "203.0.113.7"],
    ["203.0.113.7", "203.0.113.7"],
    ["[2001:db8:0:1:aaaa::7]:443", "2001:db8:0:1::/64"],
    ["[2001:db8:0:1:bbbb:cccc:dddd:eeee]:443", "2001:db8:0:1::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["[::ffff:198.51.100.2]:80", "198.51.100.2"],
    ["[fe80::1%eth0]:80", "fe80:0:0:0::/64"],
    ["/var/run/envoy.sock", undefined],
    ["", undefined],
    [undefined, undefined],
    ["not-an-address", "not-an-address"],
  ])("%s → %s", (address, network) => {
    expect(sourceNetwork(address)).toBe(network);
  });
});

describe("status patterns", () => {
  const p = (v: unknown): StatusPattern => {
    const r = parseStatusPattern(v);
    if (!r.ok) throw new Error(r.error);
    return r.value;
  };

  it.each([
    [["5xx"], 503, true],
    [["5xx"], 499, false],
    [["4XX"], 429, true],
    [[429], 429, true],
    [["404"], 404, true],
    [[429, "5xx"], 404, false],
  ])("%j matches %i: %s", (patterns, status, matches) => {
    expect(statusMatches(patterns.map(p), status)).toBe(matches);
  });

  it.each([["50x"], [600], [99], ["5xxx"], [true], [4.5]])("rejects %j", (value) => {
    expect(parseStatusPattern(value).ok).toBe(false);
  });
});

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { normalizeRequest } from "../../../src/core/request/normalize-request.ts";
import { loadCheckCodec, overTheWire } from "./check-codec.ts";

interface Fixture {
  readonly description: string;
  readonly expect: { readonly reason: string } | { readonly ok: Record<string, unknown> };
  readonly checkRequest: unknown;
}

const directory = join(import.meta.dirname, "../../fixtures/check-requests");
const names = readdirSync(directory).filter((name) => name.endsWith(".json"));

// `{ "utf8": "..." }` stands for a bytes field in the JSON fixtures.
function reviveBytes(_key: string, value: unknown): unknown {
  if (typeof value === "object" && value !== null && Object.keys(value).length === 1 && "utf8" in value) {
    return Buffer.from(String(value.utf8), "utf8");
  }
  return value;
}

describe("CheckRequest fixtures", () => {
  const codec = loadCheckCodec();

  it("has fixtures", () => {
    expect(names.length).toBeGreaterThan(10);
  });

  it.each(names)("%s", (name) => {
    const fixture = JSON.parse(readFileSync(join(directory, name), "utf8"), reviveBytes) as Fixture;
    const result = normalizeRequest(overTheWire(codec, fixture.checkRequest), 0);
    if ("reason" in fixture.expect) {
      expect(result.ok ? "accepted" : result.error.reason, fixture.description).toBe(fixture.expect.reason);
    } else {
      expect(result.ok ? result.value : result.error, fixture.description).toMatchObject(fixture.expect.ok);
    }
  });
});

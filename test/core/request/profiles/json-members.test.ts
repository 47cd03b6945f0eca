import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { topLevelMembers } from "../../../../src/core/request/profiles/json-members.ts";

const member = fc.tuple(fc.constantFrom("model", "stream", "m", "x", 'mo"del', "model\\", ""), fc.jsonValue());
const whitespace = fc.constantFrom("", " ", "\n", "\t ", "\r\n");

describe("topLevelMembers", () => {
  it("finds every top-level occurrence, in order, and nothing nested", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(member, whitespace), { maxLength: 8 }), whitespace, (members, pad) => {
        const text = `${pad}{${members
          .map(([[name, value], ws]) => `${ws}${JSON.stringify(name)}${ws}:${ws}${JSON.stringify(value)}${ws}`)
          .join(",")}}${pad}`;
        JSON.parse(text); // precondition of topLevelMembers
        const names = ["model", "stream", 'mo"del', "model\\", ""];
        const found = topLevelMembers(text, names);
        for (const name of names) {
          // -0 reads back as 0
          const expected = members.filter(([[key]]) => key === name).map(([[, value]]) => JSON.parse(JSON.stringify(value)) as unknown);
          expect(found.get(name) ?? []).toEqual(expected);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it("reads an empty object", () => {
    expect(topLevelMembers("{}", ["model"]).size).toBe(0);
    expect(topLevelMembers(" { } ", ["model"]).size).toBe(0);
  });
});

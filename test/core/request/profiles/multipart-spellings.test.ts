import { describe, expect, it } from "vitest";
import { bodyBytes, SPELLINGS, uploadRequest } from "./multipart-spellings.ts";
import { resolveRequest } from "./resolve-helper.ts";

describe("openai profile: every spelling of a form field's name", () => {
  it.each(SPELLINGS.map((s) => [s.name, s] as const))("%s", (_name, spelling) => {
    expect(resolveRequest("openai", uploadRequest(spelling.contentType, bodyBytes(spelling.body)))).toEqual(spelling.expected);
  });
});

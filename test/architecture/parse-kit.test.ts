import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/parse-config.ts";
import { parseWebhookConfig } from "../../src/config/parse-webhook-config.ts";
import { parseAccessPolicy } from "../../src/core/policy/access-policy.ts";

// Every YAML/JSON input is read with the parse kit (src/core/parse/): one wording for an unknown
// key, one mapping test. The Envoy proto-JSON validator is the exception: its messages name the
// proto message type, as Envoy's own do.

const SRC = join(import.meta.dirname, "../../src");
const KIT = join(SRC, "core/parse");
const OWN_WORDING = new Set(["envoy-config/unknown-field.ts", "envoy-config/proto-json-validator.ts"]);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

const outsideKit = sources(SRC).filter((file) => !file.startsWith(KIT));

describe("the parse kit", () => {
  it("is the only place that words an unknown key", () => {
    const wording = /["`'](?:[^"`']*[;:] )?unknown (?:field|key)\b/;
    const offenders = outsideKit.filter((file) => !OWN_WORDING.has(relative(SRC, file)) && wording.test(readFileSync(file, "utf8")));
    expect(offenders.map((file) => relative(SRC, file))).toEqual([]);
  });

  it("is the only place that defines a mapping test, an unknown-key check or a scalar reader", () => {
    const definition = /function (?:isPlainObject|isRecord|isMapping|rejectUnknownKeys|readBoolean|readInteger|readPattern|pattern)\b/;
    const offenders = outsideKit.filter((file) => definition.test(readFileSync(file, "utf8")));
    expect(offenders.map((file) => relative(SRC, file))).toEqual([]);
  });

  it.each([
    ["the configuration", () => issuesOf(parseConfig({ lisen: "x" }, {}, "/")), 'unknown field "lisen"; did you mean "listen"?'],
    ["the webhook configuration", () => issuesOf(parseWebhookConfig({ lisen: "x" }, {})), 'unknown field "lisen"; did you mean "listen"?'],
    [
      "a policy",
      () =>
        issuesOf(
          parseAccessPolicy({ apiVersion: "modelgate.io/v1alpha1", kind: "AccessPolicy", metadata: { name: "p" }, spec: { rulse: [] } }),
        ),
      'unknown field "rulse"; did you mean "rules"?',
    ],
  ])("words a misspelled key in %s the same way", (_input, issues, expected) => {
    expect(issues().map((issue) => issue.message)).toContain(expected);
  });
});

function issuesOf(result: { ok: true } | { ok: false; error: readonly { message: string }[] }): readonly { message: string }[] {
  return result.ok ? [] : result.error;
}

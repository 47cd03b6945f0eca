import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { crdCopies } from "./crd-copies.ts";
import { parseApiKeyRecord, RECORD_FIELDS } from "../../../src/core/identity/api-key-record.ts";
import { LIMITS } from "../../../src/core/identity/record-fields.ts";

// The ApiKey CRD is the Kubernetes schema of the key record (api-key-record.ts): the same
// fields, the same limits, patterns that say what the parser says (checked on samples here;
// test/integration/k8s-apikey-crd.test.ts runs every fixture through a real API server), and
// any copy of it byte-identical.

const ROOT = join(import.meta.dirname, "../../..");
const CRD_PATH = join(ROOT, "deploy/crds/apikeys.modelgate.io.yaml");
const CRD_TEXT = readFileSync(CRD_PATH, "utf8");
type Schema = {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  pattern?: string;
  required?: string[];
  maxLength?: number;
  minLength?: number;
  maxItems?: number;
  maxProperties?: number;
  format?: string;
  default?: unknown;
};
type Version = {
  name: string;
  served: boolean;
  storage: boolean;
  subresources?: unknown;
  additionalPrinterColumns: { name: string; type: string; jsonPath: string }[];
  schema: { openAPIV3Schema: Schema };
};
const crd = parse(CRD_TEXT) as {
  metadata: { name: string };
  spec: { group: string; scope: string; names: { kind: string; plural: string; shortNames: string[] }; versions: Version[] };
};
const version = crd.spec.versions[0];
const spec = version?.schema.openAPIV3Schema.properties?.["spec"];
const field = (name: string): Schema | undefined => spec?.properties?.[name];
const DIGEST = `sha256:${"ab".repeat(32)}`;

function pattern(schema: Schema | undefined): RegExp {
  if (schema?.pattern === undefined) throw new Error("no pattern");
  return new RegExp(schema.pattern, "u");
}

// The parser's verdict on one field, every other field valid.
function parserAccepts(name: string, value: unknown): boolean {
  return parseApiKeyRecord({ id: "k3v7q2m4x6ab", digest: DIGEST, subject: "s", [name]: value }, "").ok;
}

// What the schema says of a string field: pattern and length limits (in code points, as the API server counts).
function schemaAccepts(schema: Schema | undefined, value: string): boolean {
  const length = [...value].length;
  return pattern(schema).test(value) && length >= (schema?.minLength ?? 0) && length <= (schema?.maxLength ?? Infinity);
}

const copiesOf = (dir: string): string[] => crdCopies(dir, "apikeys.modelgate.io.yaml", CRD_PATH);

describe("the ApiKey CRD", () => {
  it("is the namespaced modelgate.io/v1alpha1 ApiKey, without a status, with the printer columns", () => {
    expect(crd.metadata.name).toBe("apikeys.modelgate.io");
    expect(crd.spec).toMatchObject({
      group: "modelgate.io",
      scope: "Namespaced",
      names: { kind: "ApiKey", plural: "apikeys", shortNames: ["mgkey"] },
    });
    expect(version).toMatchObject({ name: "v1alpha1", served: true, storage: true });
    expect(version?.subresources).toBeUndefined();
    expect(version?.additionalPrinterColumns.map((c) => [c.name, c.jsonPath])).toEqual([
      ["Subject", ".spec.subject"],
      ["Team", ".spec.attributes.team"],
      ["Expires", ".spec.expiresAt"],
      ["Revoked", ".spec.revoked"],
      ["Age", ".metadata.creationTimestamp"],
    ]);
  });

  it("has exactly the record's fields, requiring what the parser requires", () => {
    expect(Object.keys(spec?.properties ?? {}).sort()).toEqual([...RECORD_FIELDS].sort());
    expect(spec?.required).toEqual(["id", "digest", "subject"]);
    expect(field("revoked")).toMatchObject({ type: "boolean", default: false });
    expect(field("expiresAt")?.format).toBe("date-time");
  });

  it("caps lengths and lists where the parser does", () => {
    expect({
      subject: field("subject")?.maxLength,
      description: field("description")?.maxLength,
      group: field("groups")?.items?.maxLength,
      groups: field("groups")?.maxItems,
      attributes: field("attributes")?.maxProperties,
    }).toEqual({
      subject: LIMITS.subject,
      description: LIMITS.description,
      group: LIMITS.text,
      groups: LIMITS.listItems,
      attributes: LIMITS.attributes,
    });
  });

  it("has no copy that differs from deploy/crds (a chart's crds/ must be a byte-identical copy)", () => {
    for (const copy of copiesOf(join(ROOT, "charts")).concat(copiesOf(join(ROOT, "deploy")))) {
      expect(readFileSync(copy, "utf8"), `${relative(ROOT, copy)} differs from deploy/crds`).toBe(CRD_TEXT);
    }
  });

  it.each(["k3v7q2m4x6ab", "aaaaaaaaaaaa", "k3v7q2m4x9ab", "K3V7Q2M4X6AB", "k3v7q2m4x6a", "k3v7q2m4x6abc", ""])(
    "agrees with the parser on the key id %j",
    (id) => {
      expect(pattern(field("id")).test(id)).toBe(parseApiKeyRecord({ id, digest: DIGEST, subject: "s" }, "").ok);
    },
  );

  it.each([DIGEST, DIGEST.toUpperCase(), `sha256:${"ab".repeat(31)}`, `hmac-sha256:${"ab".repeat(32)}`, "ab".repeat(32), `${DIGEST}0`])(
    "agrees with the parser on the digest %j",
    (digest) => {
      expect(pattern(field("digest")).test(digest)).toBe(parseApiKeyRecord({ id: "k3v7q2m4x6ab", digest, subject: "s" }, "").ok);
    },
  );

  it.each([
    "alice@example.com",
    "svc scorer",
    "Ünïcödé",
    "",
    "a\u0007b",
    "a\u001b[31m",
    "a\u007fb",
    "a\u0085b",
    "a\u2028b",
    "a\u2029b",
    "tab\there",
    "x".repeat(256),
    "x".repeat(257),
  ])("agrees with the parser on the subject and description text %j", (text) => {
    expect(schemaAccepts(field("subject"), text)).toBe(parserAccepts("subject", text));
    if (text.length <= LIMITS.text) expect(schemaAccepts(field("groups")?.items, text)).toBe(parserAccepts("groups", [text]));
    expect(schemaAccepts(field("description"), text)).toBe(parserAccepts("description", text));
  });
});

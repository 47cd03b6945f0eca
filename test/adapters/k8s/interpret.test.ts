import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { apiKeyManifest, interpretApiKey } from "../../../src/adapters/k8s/api-key-resource.ts";
import { interpretKeySecret } from "../../../src/adapters/k8s/key-secret.ts";
import { interpretPolicy } from "../../../src/adapters/k8s/policy-watch.ts";
import { desiredConditions } from "../../../src/adapters/k8s/status-writer.ts";
import { microTime } from "../../../src/adapters/k8s/lease-elector.ts";
import { recordOf, mintFrom } from "../../core/identity/helpers.ts";

const b64 = (text: string) => Buffer.from(text).toString("base64");
const { key } = mintFrom("secret-test");
const record = recordOf(key, { subject: "svc" });
const recordJson = JSON.stringify({ id: record.id, digest: record.digest, subject: "svc" });

describe("API key Secrets", () => {
  it.each([
    ["a YAML record", { record: b64(`id: ${record.id}\ndigest: ${record.digest}\nsubject: svc\n`) }],
    ["a JSON record", { record: b64(recordJson) }],
  ])("reads %s from data.record", (_what, data) => {
    expect(interpretKeySecret({ data })).toMatchObject({ value: { id: record.id, subject: "svc" }, issues: [] });
  });

  it.each([
    ["no data", {}, /data.record: is required/],
    ["no record field", { data: { other: b64("x") } }, /data.record: is required/],
    ["YAML that does not parse", { data: { record: b64("id: [") } }, /not valid YAML/],
    ["a duplicate key", { data: { record: b64(`id: a\nid: b\n`) } }, /not valid YAML/],
    ["an alias", { data: { record: b64(`x: &a 1\nid: *a\n`) } }, /data.record/],
    ["a misspelled revoked", { data: { record: b64(recordJson.replace("}", ',"revokd":true}')) } }, /revokd/],
    ["a bad digest", { data: { record: b64(recordJson.replace(record.digest, "sha256:00")) } }, /digest/],
  ])("refuses a Secret with %s", (_what, secret, message) => {
    const result = interpretKeySecret(secret);
    expect(result.value).toBeUndefined();
    expect(result.issues.map((i) => `${i.path}: ${i.message}`).join("\n")).toMatch(message);
  });
});

describe("ApiKey objects", () => {
  const fixtures = join(import.meta.dirname, "../../fixtures/apikeys");
  const fixture = (dir: string, file: string) => parse(readFileSync(join(fixtures, dir, file), "utf8")) as unknown;
  // The path of the first problem each invalid fixture must report, so a refusal for the wrong reason fails.
  const FIRST_PROBLEM: Readonly<Record<string, string>> = {
    "attribute-name-uppercase.yaml": "spec.attributes.Team",
    "attribute-not-string.yaml": "spec.attributes.tier",
    "digest-too-short.yaml": "spec.digest",
    "digest-uppercase-hex.yaml": "spec.digest",
    "empty-subject.yaml": "spec.subject",
    "expires-not-a-date.yaml": "spec.expiresAt",
    "expires-without-zone.yaml": "spec.expiresAt",
    "group-not-string.yaml": "spec.groups[1]",
    "key-id-too-short.yaml": "spec.id",
    "missing-subject.yaml": "spec.subject",
    "misspelled-revoked.yaml": "spec.revokd",
    "name-not-mgk-id.yaml": "metadata.name",
    "no-spec.yaml": "spec",
    "revoked-not-boolean.yaml": "spec.revoked",
    "subject-control-character.yaml": "spec.subject",
  };

  it.each(readdirSync(join(fixtures, "valid")))("reads valid/%s", (file) => {
    expect(interpretApiKey(fixture("valid", file))).toMatchObject({ value: { id: "k3v7q2m4x6ab" }, issues: [] });
  });

  it.each(readdirSync(join(fixtures, "invalid")))("refuses invalid/%s with the path of the mistake", (file) => {
    const result = interpretApiKey(fixture("invalid", file));
    expect(result.value).toBeUndefined();
    expect(result.issues[0]?.path).toBe(FIRST_PROBLEM[file]);
  });

  it("builds an ApiKey named after the key id whose spec is the stored record", () => {
    const manifest = apiKeyManifest(record, "ml-prod");
    expect(manifest).toEqual({
      apiVersion: "modelgate.io/v1alpha1",
      kind: "ApiKey",
      metadata: { name: `mgk-${record.id}`, namespace: "ml-prod" },
      spec: { id: record.id, digest: record.digest, subject: "svc", createdAt: record.createdAt },
    });
    expect(interpretApiKey(manifest).value).toEqual(record);
  });
});

describe("AccessPolicy objects as the API server sends them", () => {
  const fixture = (dir: string, file: string) =>
    parse(readFileSync(join(import.meta.dirname, "../../fixtures/policies", dir, file), "utf8")) as unknown;

  it("accepts server-set metadata and status", () => {
    expect(interpretPolicy(fixture("valid", "kubectl-output.yaml")).issues).toEqual([]);
  });

  it.each(["route-double-model.yaml", "cel-unknown-field.yaml"])("refuses %s with its path", (file) => {
    const result = interpretPolicy(fixture("invalid", file));
    expect(result.value).toBeUndefined();
    expect(result.issues[0]?.path).toMatch(/^spec\./);
  });
});

describe("status conditions", () => {
  const base = { key: "ns/p", uid: "u", resourceVersion: "1", shadowed: [], warnings: [] };
  it.each([
    ["accepted and served", { generation: 2, accepted: true, issues: [], servedGeneration: 2 }, ["True", "Compiled"], ["True", "Serving"]],
    [
      "invalid, older one served",
      { generation: 3, accepted: false, issues: [{ path: "spec.rules[0].when", message: "bad" }], servedGeneration: 2 },
      ["False", "Invalid"],
      ["False", "ServingPreviousGeneration"],
    ],
    [
      "invalid, nothing served",
      { generation: 1, accepted: false, issues: [{ path: "", message: "bad" }], servedGeneration: undefined },
      ["False", "Invalid"],
      ["False", "NotServed"],
    ],
  ])("%s", (_what, status, accepted, ready) => {
    const [a, r] = desiredConditions({ ...base, ...status });
    expect([a?.status, a?.reason]).toEqual(accepted);
    expect([r?.status, r?.reason]).toEqual(ready);
    expect(a?.observedGeneration).toBe(status.generation);
    if (!status.accepted) expect(a?.message).toContain("bad");
  });

  it("an accepted policy with broad grants says so in Accepted (reason CompiledWithWarnings)", () => {
    const warnings = [
      { policy: "ns/p", rule: "probes", message: 'grants health on every model (models: "**") to everyone, anonymous callers included' },
      { policy: "ns/p", rule: "keys", message: "grants read on every model" },
    ];
    const [accepted] = desiredConditions({ ...base, warnings, generation: 1, accepted: true, issues: [], servedGeneration: 1 });
    expect(accepted).toMatchObject({ status: "True", reason: "CompiledWithWarnings" });
    expect(accepted?.message).toBe(
      `the policy is valid, with 2 warnings: rule probes ${warnings[0]?.message}; rule keys grants read on every model`,
    );
  });

  it("writes Lease times with the six fractional digits MicroTime requires", () => {
    expect(microTime(Date.parse("2026-01-02T03:04:05.678Z"))).toBe("2026-01-02T03:04:05.678000Z");
  });
});

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { interpretApiKey } from "../../src/adapters/k8s/api-key-resource.ts";
import type { KubeHarness } from "../harness/kube-harness.ts";
import { APIKEYS, expectStatus, startCluster, withoutServerFields } from "./helpers/k8s-cluster.ts";

// Every ApiKey fixture through the real API server (CRD schema + CEL, strict field validation as
// kubectl sends it) and through modelgate's reader. Valid ones pass both; each invalid one is
// refused by the API server with a readable message, or — for what a schema cannot express —
// accepted there and refused by modelgate, which then serves no key for it.

const FIXTURES = join(import.meta.dirname, "../fixtures/apikeys");
const read = (dir: string, file: string) => parse(readFileSync(join(FIXTURES, dir, file), "utf8")) as Record<string, unknown>;

// Accepted by the API server, refused only by modelgate.
const MODELGATE_ONLY = new Set([
  "attribute-name-uppercase.yaml", // attribute values are an untyped union: invisible to CEL
  "attribute-not-string.yaml",
]);
// Expected words in the API server's message, so a rejection for the wrong reason fails.
const MESSAGE: Readonly<Record<string, RegExp>> = {
  "misspelled-revoked.yaml": /unknown field "spec.revokd"/,
  "name-not-mgk-id.yaml": /metadata.name must be mgk-<spec.id>/,
  "digest-too-short.yaml": /spec.digest/,
  "digest-uppercase-hex.yaml": /spec.digest/,
  "key-id-too-short.yaml": /spec.id/,
  "missing-subject.yaml": /spec.subject: Required value/,
  "empty-subject.yaml": /spec.subject/,
  "subject-control-character.yaml": /spec.subject/,
  "expires-not-a-date.yaml": /spec.expiresAt/,
  "expires-without-zone.yaml": /spec.expiresAt in body must be of type date-time/,
  "revoked-not-boolean.yaml": /spec.revoked/,
  "group-not-string.yaml": /spec.groups\[1\]/,
  "no-spec.yaml": /spec: Required value/,
};

let harness: KubeHarness;
beforeAll(async () => {
  harness = await startCluster();
}, 120_000);
afterAll(async () => harness?.stop());

async function create(doc: Record<string, unknown>, dryRun = true) {
  return harness.request("POST", `${APIKEYS}?fieldValidation=Strict${dryRun ? "&dryRun=All" : ""}`, withoutServerFields(doc));
}

describe("the ApiKey CRD and modelgate's reader agree on every fixture", () => {
  it.each(readdirSync(join(FIXTURES, "valid")))(
    "valid/%s is accepted by the API server and by modelgate, also as the server returns it",
    async (file) => {
      const doc = read("valid", file);
      const reply = await create(doc);
      expect(reply.status, JSON.stringify(reply.body).slice(0, 400)).toBe(201);
      expect(interpretApiKey(doc).issues).toEqual([]);
      expect(interpretApiKey(reply.body).issues).toEqual([]);
    },
  );

  it.each(readdirSync(join(FIXTURES, "invalid")))("invalid/%s is refused", async (file) => {
    const doc = read("invalid", file);
    const reply = await create(doc);
    const message = (reply.body as { message?: string }).message ?? "";
    expect(interpretApiKey(doc).issues.length).toBeGreaterThan(0);
    if (MODELGATE_ONLY.has(file)) {
      expect(reply.status, message).toBe(201);
      expect(interpretApiKey(reply.body).value).toBeUndefined();
      return;
    }
    expect(reply.status, message).toBeGreaterThanOrEqual(400);
    expect(reply.status).toBeLessThan(500);
    expect(message).toMatch(MESSAGE[file] ?? /(?!)/);
  });

  it("shows Subject, Team, Expires and Revoked in `kubectl get apikeys`", async () => {
    const doc = read("valid", "every-field.yaml");
    await expectStatus(create(doc, false), 201);
    const table = await expectStatus(
      harness.request("GET", APIKEYS, undefined, { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" }),
      200,
    );
    const { columnDefinitions, rows } = table.body as { columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] };
    expect(columnDefinitions.map((c) => c.name)).toEqual(["Name", "Subject", "Team", "Expires", "Revoked", "Age"]);
    expect(rows[0]?.cells.slice(0, 5)).toEqual(["mgk-k3v7q2m4x6ab", "alice@example.com", "data_science", "2027-01-01T00:00:00Z", false]);
    await harness.request("DELETE", `${APIKEYS}/mgk-k3v7q2m4x6ab`);
  });

  it("keeps id and digest immutable, so an ApiKey never changes which key it stands for", async () => {
    const doc = read("valid", "minimal.yaml");
    const created = await expectStatus(create(doc, false), 201);
    const current = created.body as { metadata: Record<string, unknown>; spec: Record<string, unknown> };
    const name = String(current.metadata["name"]);
    const changed = { ...current, spec: { ...current.spec, digest: `sha256:${"0".repeat(64)}` } };
    const reply = await harness.request("PUT", `${APIKEYS}/${name}`, changed);
    expect(reply.status).toBe(422);
    expect((reply.body as { message: string }).message).toMatch(/digest is immutable/);
    const revoked = await harness.request("PUT", `${APIKEYS}/${name}`, { ...current, spec: { ...current.spec, revoked: true } });
    expect(revoked.status).toBe(200);
    await harness.request("DELETE", `${APIKEYS}/${name}`);
  });
});

import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { startAuthzServer, type AuthzServer } from "../../../src/adapters/grpc/authz-server.ts";
import { buildCheckRequest } from "../../../src/adapters/grpc/build-check-request.ts";
import type { ApiKeySource } from "../../../src/core/kubernetes-config.ts";
import type { KubeHttp } from "../../../src/adapters/k8s/kube-http.ts";
import { createKeyWatch, type KeyWatch } from "../../../src/adapters/k8s/key-watch.ts";
import { keyRecords } from "../../../src/adapters/k8s/kube-collections.ts";
import { httpListWatchClient } from "../../../src/adapters/k8s/list-watch-client.ts";
import type { LoopTimers, LoopTuning } from "../../../src/adapters/k8s/list-watch-loop.ts";
import type { PolicyWatch } from "../../../src/adapters/k8s/policy-watch.ts";
import { LocalLimiter } from "../../../src/adapters/limiter/local-limiter.ts";
import { checkPorts } from "../../../src/core/check-ports.ts";
import { decide } from "../../../src/core/decide.ts";
import { apiKeySource } from "../../../src/core/identity/api-key-source.ts";
import { mintApiKey } from "../../../src/core/identity/api-key-format.ts";
import { recordForKey, toStoredRecord } from "../../../src/core/identity/api-key-record.ts";
import { buildKeyIndex } from "../../../src/core/identity/key-store.ts";
import { apiKeyManifest } from "../../../src/adapters/k8s/api-key-resource.ts";
import type { ApiKeyRecord } from "../../../src/core/identity/api-key-record.ts";
import { startKubeHarness, type KubeHarness } from "../../harness/kube-harness.ts";
import { connectAuthz, type AuthzClient } from "./authz-client.ts";
import { plainDecisionService } from "./plain-decision-service.ts";

// A real API server with the AccessPolicy and ApiKey CRDs installed, and the pieces the cluster
// tests share: create-or-replace, waiting for a condition, a real gRPC server deciding from the
// watches.

const CRDS = join(import.meta.dirname, "../../../deploy/crds");
export const CRD_FILE = join(CRDS, "accesspolicies.modelgate.io.yaml");
export const APIKEY_CRD_FILE = join(CRDS, "apikeys.modelgate.io.yaml");
export const NS = "ml-prod";
export const POLICIES = `/apis/modelgate.io/v1alpha1/namespaces/${NS}/accesspolicies`;
export const APIKEYS = `/apis/modelgate.io/v1alpha1/namespaces/${NS}/apikeys`;
export const SECRETS = `/api/v1/namespaces/${NS}/secrets`;

// Small numbers so restarts and stalls show within seconds; the defaults are minutes.
export const FAST_TUNING: LoopTuning = {
  watchTimeoutSeconds: 3,
  stallGraceMs: 2000,
  relistIntervalMs: 60_000,
  backoffInitialMs: 100,
  backoffMaxMs: 1000,
};

export const REAL_TIMERS: LoopTimers = {
  now: () => Date.now(),
  after: (ms, fn) => {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
  random: () => Math.random(),
};

// The key watch the engine builds for `kubernetes.apiKeySource: source`, with FAST_TUNING.
export function keyWatchOf(http: KubeHttp, source: ApiKeySource, namespace = NS, listTimeoutMs = 10_000): KeyWatch {
  const records = keyRecords(source, namespace);
  return createKeyWatch({
    client: httpListWatchClient(http, records.collection, listTimeoutMs),
    interpret: records.interpret,
    timers: REAL_TIMERS,
    tuning: FAST_TUNING,
  });
}

// What kubectl apply strips from `kubectl get -o yaml` before sending an object back.
const SERVER_SET = ["resourceVersion", "uid", "creationTimestamp", "generation", "managedFields"];
export function withoutServerFields(doc: Record<string, unknown>): Record<string, unknown> & { metadata: Record<string, unknown> } {
  const metadata = { ...(doc["metadata"] as Record<string, unknown> | undefined) };
  for (const key of SERVER_SET) delete metadata[key];
  return { ...doc, metadata };
}

export async function startCluster(): Promise<KubeHarness> {
  const harness = await startKubeHarness();
  try {
    await applyCrd(harness, CRD_FILE, "accesspolicies");
    await applyCrd(harness, APIKEY_CRD_FILE, "apikeys");
    await expectStatus(harness.request("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } }), 201);
  } catch (error) {
    await harness.stop();
    throw error;
  }
  return harness;
}

export async function applyCrd(harness: KubeHarness, file: string, plural: string): Promise<void> {
  const crd = parse(readFileSync(file, "utf8")) as unknown;
  await expectStatus(harness.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd), 201);
  await eventually(async () => {
    const got = await harness.request("GET", `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${plural}.modelgate.io`);
    const conditions = (got.body as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions ?? [];
    if (!conditions.some((c) => c.type === "Established" && c.status === "True")) throw new Error("CRD not established");
    // Established can precede the REST endpoint by a moment.
    const list = await harness.request("GET", `/apis/modelgate.io/v1alpha1/namespaces/default/${plural}`);
    if (list.status !== 200) throw new Error(`list answers ${list.status}`);
  }, 20_000);
}

export async function expectStatus<T extends { status: number; body: unknown }>(reply: Promise<T>, status: number): Promise<T> {
  const r = await reply;
  if (r.status !== status) throw new Error(`expected HTTP ${status}, got ${r.status}: ${JSON.stringify(r.body).slice(0, 500)}`);
  return r;
}

// Create, or replace the current version (retrying when the status writer got in between):
// what `kubectl apply` amounts to for these tests.
export async function upsert(
  harness: KubeHarness,
  collection: string,
  object: { metadata: { name: string } } & Record<string, unknown>,
): Promise<unknown> {
  const created = await harness.request("POST", `${collection}?fieldValidation=Strict`, object);
  if (created.status === 201) return created.body;
  if (created.status !== 409) throw new Error(`create: ${created.status} ${JSON.stringify(created.body).slice(0, 500)}`);
  for (let attempt = 0; ; attempt++) {
    const current = await expectStatus(harness.request("GET", `${collection}/${object.metadata.name}`), 200);
    const resourceVersion = (current.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    const body = { ...object, metadata: { ...object.metadata, resourceVersion } };
    const replaced = await harness.request("PUT", `${collection}/${object.metadata.name}?fieldValidation=Strict`, body);
    if (replaced.status === 200) return replaced.body;
    if (replaced.status !== 409 || attempt >= 20)
      throw new Error(`replace: ${replaced.status} ${JSON.stringify(replaced.body).slice(0, 500)}`);
  }
}

export async function remove(harness: KubeHarness, collection: string, name: string): Promise<void> {
  const reply = await harness.request("DELETE", `${collection}/${name}`);
  if (reply.status !== 200 && reply.status !== 404) throw new Error(`delete: ${reply.status}`);
}

export async function eventually<T>(probe: () => Promise<T> | T, timeoutMs: number, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}

export function policy(name: string, rules: unknown[], extra: Record<string, unknown> = {}) {
  return {
    apiVersion: "modelgate.io/v1alpha1",
    kind: "AccessPolicy",
    metadata: { name, namespace: NS },
    spec: { models: ["fraud-detector"], rules, ...extra },
  };
}

export function allowTeam(team: string, actions = ["predict"]) {
  return { name: `allow-${team.replaceAll("_", "-")}`, effect: "Allow", subjects: [{ attributes: { team } }], actions };
}

type Manifest = { metadata: { name: string; namespace?: string; labels?: Record<string, string> } } & Record<string, unknown>;

function mintRecord(subject: string, team: string): { key: string; record: ApiKeyRecord } {
  const { key } = mintApiKey((n) => new Uint8Array(randomBytes(n)));
  const record = recordForKey(key, { subject, attributes: { team } }, Date.now());
  if (!record.ok) throw new Error(JSON.stringify(record.error));
  return { key, record: record.value };
}

// A fresh key and its ApiKey object for namespace `namespace`.
export function newApiKey(subject: string, team: string, namespace = NS) {
  const { key, record } = mintRecord(subject, team);
  const apiKey = apiKeyManifest(record, namespace) as Manifest & { spec: Record<string, unknown> };
  return { key, id: record.id, apiKey };
}

// A fresh key held the earlier way: a Secret labelled modelgate.io/api-key with the record under
// stringData.record (what `keys create --namespace` printed before ApiKey objects).
export function newKeySecret(subject: string, team: string, extra: Record<string, unknown> = {}) {
  const { key, record } = mintRecord(subject, team);
  const stored = { ...toStoredRecord(record), ...extra };
  const secret: Manifest = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: `mgk-${record.id}`, namespace: NS, labels: { "modelgate.io/api-key": "true" } },
    type: "Opaque",
    stringData: { record: stringify(stored) },
  };
  return { key, id: record.id, stored, secret };
}

export interface Gateway {
  readonly client: AuthzClient;
  // The reason code (allowed, policy_no_match, api_key_unknown, …) for POST …/infer with this key.
  reasonFor(key: string | undefined): Promise<string>;
  close(): Promise<void>;
}

const EMPTY_KEYS = buildKeyIndex([]).index;

// The real gRPC server, deciding with the watches' current values (as the engine will wire them).
export async function startGateway(policies: PolicyWatch, keys: KeyWatch | undefined): Promise<Gateway> {
  const ports = checkPorts({
    deployment: { profile: "open-inference-v2", defaultModel: "fraud-detector", environment: "test" },
    sources: [apiKeySource({ keys: () => keys?.current() ?? EMPTY_KEYS })],
    policies: () => policies.current(),
    limiter: new LocalLimiter({ now: Date.now }),
    sanctions: false,
    now: Date.now,
    newId: randomUUID,
  });
  const server: AuthzServer = await startAuthzServer({
    tcp: "127.0.0.1:0",
    uds: undefined,
    maxInFlight: 100,
    maxReceiveBytes: 4 * 1024 * 1024,
    service: plainDecisionService({ decide: (raw) => decide(raw, ports) }),
  });
  const client = connectAuthz(`127.0.0.1:${server.tcpPort}`);
  return {
    client,
    reasonFor: async (key) => {
      const headers: Record<string, string> = key === undefined ? {} : { "x-api-key": key };
      const response = await client.check(buildCheckRequest({ method: "POST", path: "/v2/models/fraud-detector/infer", headers }));
      if (response.status?.code === 0) return "allowed";
      return (JSON.parse(response.denied_response?.body ?? "{}") as { reason?: string }).reason ?? "?";
    },
    close: async () => {
      client.close();
      await server.shutdown(1000);
    },
  };
}

import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { mintApiKey } from "../src/core/identity/api-key-format.ts";
import { recordForKey, toStoredRecord } from "../src/core/identity/api-key-record.ts";

// The configuration, key and request every pipeline benchmark uses: one API key, one policy with
// a limit, the in-process limiter (or Redis with `redisUrl`), and the audit chain written to
// rotating files. The key's digest and attributes are also returned for the OPA-Envoy data.

export interface BenchFixture {
  readonly key: string;
  readonly digest: string;
  readonly config: string;
  readonly redisConfig: (redisUrl: string) => string;
  // What a bench script's options ask for: `config` without a Redis URL, else `redisConfig`, or
  // with `anomaly` also anomaly detection (its observations in the same Redis).
  readonly configFor: (redisUrl: string | undefined, anomaly?: boolean) => string;
  // The bench configuration with `extra` top-level keys set (e.g. listen, reusePort), as file `name`.
  readonly configWith: (name: string, extra: Readonly<Record<string, unknown>>) => string;
}

// The configuration's keys that put the limiter in the Redis at `url`.
export function redisLimiter(url: string): Readonly<Record<string, unknown>> {
  return { limiter: { redis: { url } } };
}

export function benchFixture(dir: string): BenchFixture {
  const { key } = mintApiKey((n) => new Uint8Array(randomBytes(n)));
  const record = recordForKey(key, { subject: "bench@example.com", attributes: { team: "data_science", org: "acme" } }, Date.now());
  if (!record.ok) throw new Error("cannot build the bench key record");
  writeFileSync(join(dir, "keys.yaml"), stringify({ keys: [toStoredRecord(record.value)] }));
  writeFileSync(
    join(dir, "policies.yaml"),
    stringify({
      apiVersion: "modelgate.io/v1alpha1",
      kind: "AccessPolicy",
      metadata: { name: "bench", namespace: "default" },
      spec: {
        models: ["fraud-detector"],
        rules: [
          {
            name: "predict",
            effect: "Allow",
            subjects: [{ attributes: { team: "data_science" } }],
            actions: ["predict"],
            limits: [{ name: "minute", requests: 1_000_000_000, per: "1m" }],
          },
          { name: "freeze", effect: "Deny", subjects: [{}], actions: ["admin"] },
        ],
      },
    }),
  );
  const writeConfig = (name: string, extra: Readonly<Record<string, unknown>>): string => {
    const config = join(dir, name);
    writeFileSync(
      config,
      stringify({
        listen: "127.0.0.1:0",
        metricsListen: "127.0.0.1:0",
        model: "fraud-detector",
        protocol: "open-inference-v2",
        policies: { files: ["policies.yaml"] },
        apiKeys: { files: ["keys.yaml"] },
        logLevel: "info",
        watchFiles: false,
        // The audit chain goes to rotating files, as in production (the stdout sink writes synchronously).
        audit: { sink: "file", file: { path: join(dir, `audit-${name}`, "audit.jsonl") } },
        ...extra,
      }),
    );
    return config;
  };
  const config = writeConfig("modelgate.yaml", {});
  const redisConfig = (url: string): string => writeConfig("modelgate-redis.yaml", redisLimiter(url));
  return {
    key,
    digest: record.value.digest,
    config,
    redisConfig,
    configFor: (url, anomaly = false) => {
      if (url === undefined) return config;
      return anomaly
        ? writeConfig("modelgate-anomaly.yaml", { ...redisLimiter(url), anomaly: { enabled: true, redis: { url } } })
        : redisConfig(url);
    },
    configWith: writeConfig,
  };
}

// The timed request with a wrong key (its last characters changed): every system must deny it.
export function wrongKeyRequest(key: string): Record<string, unknown> {
  return checkRequest(`${key.slice(0, -4)}AAAA`);
}

// Field names as in the .proto: ghz (protojson) accepts them, and so does a proto-loader client
// with keepCase, so the timed request and the verifying Check are the same message.
export function checkRequest(key: string): Record<string, unknown> {
  const path = "/v2/models/fraud-detector/infer";
  const headers: Record<string, string> = {
    ":authority": "models.example.com",
    ":method": "POST",
    ":path": path,
    ":scheme": "https",
    "content-type": "application/json",
    "user-agent": "bench/1.0",
    accept: "*/*",
    "x-forwarded-proto": "https",
    "x-request-id": "5f1d7c1e-8a4b-4c55-9d0e-000000000001",
    "x-envoy-expected-rq-timeout-ms": "15000",
    "x-api-key": key,
    "content-length": "512",
  };
  return {
    attributes: {
      source: { address: { socket_address: { address: "10.0.0.7", port_value: 51234 } } },
      destination: { address: { socket_address: { address: "10.0.0.9", port_value: 8080 } } },
      request: { http: { id: "1", method: "POST", path, host: "models.example.com", scheme: "https", protocol: "HTTP/1.1", headers } },
    },
  };
}

import { createHash } from "node:crypto";
import { mintApiKey } from "../../../src/core/identity/api-key-format.ts";
import type { MintedApiKey } from "../../../src/core/identity/api-key-format.ts";
import { parseApiKeyRecord, recordForKey } from "../../../src/core/identity/api-key-record.ts";
import type { ApiKeyRecord, NewKeyFields } from "../../../src/core/identity/api-key-record.ts";
import type { NormalizedRequest } from "../../../src/core/request/normalized-request.ts";

export const T0 = Date.parse("2026-11-01T00:00:00Z");

// Deterministic stand-in for crypto.randomBytes: SHA-256 in counter mode over a seed.
export function seededRandomBytes(seed: string): (n: number) => Uint8Array {
  let counter = 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let filled = 0; filled < n; filled += 32) {
      const block = createHash("sha256").update(`${seed}:${counter++}`).digest();
      out.set(block.subarray(0, Math.min(32, n - filled)), filled);
    }
    return out;
  };
}

export function mintFrom(seed: string): MintedApiKey {
  return mintApiKey(seededRandomBytes(seed));
}

// A key with the same id as `idSeed`'s key but a different secret (and a valid checksum).
export function sameIdOtherSecret(idSeed: string, secretSeed: string): MintedApiKey {
  const forId = seededRandomBytes(idSeed);
  const forSecret = seededRandomBytes(secretSeed);
  let call = 0;
  return mintApiKey((n) => (call++ === 0 ? forId(n) : forSecret(n)));
}

export function recordOf(key: string, fields: Partial<NewKeyFields> = {}, extra: Record<string, unknown> = {}): ApiKeyRecord {
  const built = recordForKey(key, { subject: "alice@example.com", ...fields }, T0);
  if (!built.ok) throw new Error(JSON.stringify(built.error));
  if (Object.keys(extra).length === 0) return built.value;
  const reparsed = parseApiKeyRecord({ ...toPlain(built.value), ...extra }, "");
  if (!reparsed.ok) throw new Error(JSON.stringify(reparsed.error));
  return reparsed.value;
}

function toPlain(record: ApiKeyRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    if (v !== undefined) out[k] = k === "attributes" ? { ...(v as object) } : v;
  }
  return out;
}

export function requestWith(headers: Record<string, string>): NormalizedRequest {
  return {
    id: "req-1",
    method: "POST",
    path: "/v1/models/m:predict",
    rawPath: "/v1/models/m:predict",
    query: new Map(),
    host: "models.example",
    scheme: "https",
    protocol: "HTTP/1.1",
    headers: new Map(Object.entries(headers)),
    peer: { address: "127.0.0.1", principal: "", certificate: "" },
    body: undefined,
    contextExtensions: new Map(),
    receivedAt: T0,
  };
}

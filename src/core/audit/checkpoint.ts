import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { err, ok, type Result } from "../result.ts";
import { canonicalJson, type JsonObject } from "./canonical-json.ts";
import { envelopeFor, sealEnvelope, type ChainHead, type SealedRecord } from "./chain.ts";
import { isoTime, type AuditEvent } from "./event.ts";

// A checkpoint is a chain record of type "checkpoint" that signs the chain head with Ed25519:
//   head    { seq, hash } of the record just before it (equal to its own seq - 1 and prev)
//   alg     "ed25519", or "none" when no signing key is configured
//   key_id  "ed25519:" + first 32 hex digits of SHA-256 over the public key's SPKI DER
//   sig     base64 Ed25519 signature over SIGNING_PREFIX + canonical JSON of the record without
//           `sig` and `hash` (so the envelope — chain, seq, prev, time — is signed too)
// As in CloudTrail's digests, a verifier holding only the public key can tell that every record
// up to the checkpoint is the one the server wrote; rewriting a tail needs the private key.

const SIGNING_PREFIX = "modelgate-audit-checkpoint-v1\n";

export interface CheckpointSigner {
  readonly keyId: string;
  sign(payload: Uint8Array): string; // base64 signature
}

export interface CheckpointPublicKey {
  readonly keyId: string;
  readonly key: KeyObject;
}

export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: "spki", format: "der" });
  return `ed25519:${createHash("sha256").update(der).digest("hex").slice(0, 32)}`;
}

// node:crypto reports unparseable key material by throwing; this is the key-parsing boundary.
function tryKey<T>(make: () => T): Result<T, string> {
  try {
    return ok(make());
  } catch (error: unknown) {
    return err(error instanceof Error ? error.message : String(error));
  }
}

export function ed25519Signer(privateKeyPem: string): Result<CheckpointSigner, string> {
  const parsed = tryKey(() => createPrivateKey(privateKeyPem));
  if (!parsed.ok) return err(`not a private key in PEM form: ${parsed.error}`);
  const key = parsed.value;
  if (key.asymmetricKeyType !== "ed25519") return err(`the signing key must be Ed25519, not ${key.asymmetricKeyType ?? "symmetric"}`);
  const keyId = keyIdOf(createPublicKey(key));
  return ok({ keyId, sign: (payload) => sign(null, payload, key).toString("base64") });
}

export function ed25519PublicKey(publicKeyPem: string): Result<CheckpointPublicKey, string> {
  const parsed = tryKey(() => createPublicKey(publicKeyPem));
  if (!parsed.ok) return err(`not a public key in PEM form: ${parsed.error}`);
  if (parsed.value.asymmetricKeyType !== "ed25519")
    return err(`the public key must be Ed25519, not ${parsed.value.asymmetricKeyType ?? "unknown"}`);
  return ok({ keyId: keyIdOf(parsed.value), key: parsed.value });
}

export function signingPayload(recordWithoutSigAndHash: JsonObject): Uint8Array {
  return Buffer.from(SIGNING_PREFIX + canonicalJson(recordWithoutSigAndHash), "utf8");
}

export function sealCheckpoint(
  head: ChainHead,
  now: number,
  signer: CheckpointSigner | undefined,
): { record: SealedRecord; head: ChainHead } {
  const event: AuditEvent = {
    type: "checkpoint",
    time: isoTime(now),
    head: { seq: head.seq, hash: head.hash },
    alg: signer === undefined ? "none" : "ed25519",
    key_id: signer?.keyId ?? "",
  };
  const unsigned = envelopeFor(head, event);
  const sig = signer === undefined ? "" : signer.sign(signingPayload(unsigned));
  return sealEnvelope(head, { ...unsigned, sig }, "checkpoint");
}

export type SignatureCheck = "valid" | "unsigned" | "unknown_key" | "invalid";

export function checkCheckpointSignature(record: JsonObject, keys: readonly CheckpointPublicKey[]): SignatureCheck {
  const { sig, hash: _hash, ...rest } = record;
  if (record["alg"] !== "ed25519" || typeof sig !== "string" || sig === "") return "unsigned";
  const key = keys.find((k) => k.keyId === record["key_id"]);
  if (key === undefined) return "unknown_key";
  const signature = Buffer.from(sig, "base64");
  const checked = tryKey(() => verify(null, signingPayload(rest), key.key, signature));
  return checked.ok && checked.value ? "valid" : "invalid";
}

import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { ed25519PublicKey, ed25519Signer, type CheckpointPublicKey, type CheckpointSigner } from "../../core/audit/checkpoint.ts";
import { auditHmacKey, auditHmacKeyFromText, type AuditHmacKey } from "../../core/audit/input-hmac.ts";
import { err, type Result } from "../../core/result.ts";

// Key material for the audit log, read from files (Kubernetes Secrets mounted as files).
//   HMAC key: text, ≥ 32 characters, e.g. `openssl rand -base64 48 > audit-hmac.key`
//   signing key: Ed25519 private key PEM, e.g. `openssl genpkey -algorithm ed25519 -out audit-signing.pem`
//   public key (for verify): `openssl pkey -in audit-signing.pem -pubout -out audit-signing.pub.pem`

async function readText(path: string): Promise<Result<string, string>> {
  try {
    return { ok: true, value: await readFile(path, "utf8") };
  } catch (error: unknown) {
    return err(`${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export async function readHmacKey(path: string): Promise<Result<AuditHmacKey, string>> {
  const text = await readText(path);
  if (!text.ok) return text;
  const key = auditHmacKeyFromText(text.value);
  return key.ok ? key : err(`${path}: ${key.error}`);
}

// Without a configured key, input hashes are still keyed, but by a key that dies with the
// process: they can be compared within one run only.
export function ephemeralHmacKey(): AuditHmacKey {
  return auditHmacKey(new TextEncoder().encode(randomBytes(32).toString("base64url")));
}

export async function readSigningKey(path: string): Promise<Result<CheckpointSigner, string>> {
  const text = await readText(path);
  if (!text.ok) return text;
  const signer = ed25519Signer(text.value);
  return signer.ok ? signer : err(`${path}: ${signer.error}`);
}

export async function readPublicKey(path: string): Promise<Result<CheckpointPublicKey, string>> {
  const text = await readText(path);
  if (!text.ok) return text;
  const key = ed25519PublicKey(text.value);
  return key.ok ? key : err(`${path}: ${key.error}`);
}

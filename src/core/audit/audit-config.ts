// The audit log's settings: the `audit:` section of the configuration, parsed by
// config/parse-audit.ts.

export type AuditSinkKind = "stdout" | "file" | "redis";
export type AuditFailMode = "closed" | "open";

export interface AuditFileConfig {
  readonly path: string; // "" until set (or MODELGATE_AUDIT_FILE)
  readonly maxBytes: number;
  readonly maxAgeSeconds: number; // 0: rotate by size only
  readonly fsync: "batch" | "none";
}

export interface AuditRedisConfig {
  readonly url: string; // "" until set (or MODELGATE_REDIS_URL)
  readonly key: string; // stream {key}:stream, chain heads {key}:head:<replica>
  readonly maxLen: number; // XADD MAXLEN ~
}

export interface AuditConfig {
  readonly sink: AuditSinkKind;
  readonly failMode: AuditFailMode;
  readonly chainId: string; // "" = the replica id (pod name)
  readonly hmacKeyFile: string; // "" = an ephemeral key per process (warned)
  readonly subjects: "plain" | "hmac";
  readonly signingKeyFile: string; // "" = unsigned checkpoints (warned)
  readonly checkpoint: { readonly everyRecords: number; readonly everySeconds: number };
  readonly buffer: { readonly maxRecords: number; readonly maxBytes: number };
  readonly batch: { readonly maxRecords: number; readonly maxBytes: number; readonly flushIntervalMs: number };
  readonly writeTimeoutMs: number;
  readonly file: AuditFileConfig;
  readonly redis: AuditRedisConfig;
  readonly outcomes: { readonly enabled: boolean; readonly waitSeconds: number; readonly maxPending: number };
}

const MiB = 1024 * 1024;

export const AUDIT_DEFAULTS: AuditConfig = {
  sink: "stdout",
  failMode: "closed",
  chainId: "",
  hmacKeyFile: "",
  subjects: "plain",
  signingKeyFile: "",
  checkpoint: { everyRecords: 1000, everySeconds: 60 },
  buffer: { maxRecords: 10_000, maxBytes: 16 * MiB },
  batch: { maxRecords: 512, maxBytes: 1 * MiB, flushIntervalMs: 20 },
  writeTimeoutMs: 2000,
  file: { path: "", maxBytes: 100 * MiB, maxAgeSeconds: 86_400, fsync: "batch" },
  redis: { url: "", key: "modelgate:audit", maxLen: 1_000_000 },
  outcomes: { enabled: false, waitSeconds: 300, maxPending: 100_000 },
};

// The replica id that names a new chain: the pod name in Kubernetes, else the host name.
export function replicaIdFrom(env: Readonly<Record<string, string | undefined>>): string {
  const raw = env["POD_NAME"] ?? env["HOSTNAME"] ?? "";
  const cleaned = raw
    .replace(/[^A-Za-z0-9._:@+\/-]/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, 64);
  return cleaned === "" ? "modelgate" : cleaned;
}

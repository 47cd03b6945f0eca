import type { Issue, Result } from "../../core/result.ts";
import { err, ok } from "../../core/result.ts";

// `kubernetes:` in the configuration file (used when `policySource: kubernetes`):
//
//   kubernetes:
//     kubeconfig: ""              # a kubeconfig file; default: in-cluster service account, else $KUBECONFIG / ~/.kube/config
//     namespace: ""               # default: the top-level `namespace` (MODELGATE_NAMESPACE)
//     allNamespaces: false        # watch every namespace (a central deployment); needs a ClusterRole
//     apiKeys: true               # also watch API key records
//     apiKeySource: apikeys       # apikeys: ApiKey objects; secrets: Secrets labelled modelgate.io/api-key (deprecated)
//     watchTimeoutSeconds: 60     # asked of the server per watch (randomised up to 1.5x); it then closes it
//     stallGraceSeconds: 30       # silent this long past that timeout: the watch is stalled and restarted
//     relistIntervalSeconds: 600  # full relist, repairing anything a watch missed
//     requestTimeoutSeconds: 30   # list and status requests
//     backoff: { initialMs: 500, maxMs: 30000 }
//     statusWriter:
//       enabled: true             # compete for the Lease; the holder writes AccessPolicy status
//       leaseName: modelgate-status-writer
//       leaseDurationSeconds: 15
//       renewIntervalSeconds: 5

export interface StatusWriterConfig {
  readonly enabled: boolean;
  readonly leaseName: string;
  readonly leaseDurationSeconds: number;
  readonly renewIntervalSeconds: number;
}

// Where key records live: ApiKey objects, or (until they are migrated) labelled Secrets.
export type ApiKeySource = "apikeys" | "secrets";
const API_KEY_SOURCES: readonly ApiKeySource[] = ["apikeys", "secrets"];

export interface KubernetesConfig {
  readonly kubeconfig: string | undefined;
  readonly namespace: string | undefined; // undefined: the top-level namespace
  readonly allNamespaces: boolean;
  readonly apiKeys: boolean;
  readonly apiKeySource: ApiKeySource;
  readonly watchTimeoutSeconds: number;
  readonly stallGraceSeconds: number;
  readonly relistIntervalSeconds: number;
  readonly requestTimeoutSeconds: number;
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  readonly statusWriter: StatusWriterConfig;
}

export const DEFAULT_KUBERNETES_CONFIG: KubernetesConfig = Object.freeze({
  kubeconfig: undefined,
  namespace: undefined,
  allNamespaces: false,
  apiKeys: true,
  apiKeySource: "apikeys",
  watchTimeoutSeconds: 60,
  stallGraceSeconds: 30,
  relistIntervalSeconds: 600,
  requestTimeoutSeconds: 30,
  backoff: Object.freeze({ initialMs: 500, maxMs: 30_000 }),
  statusWriter: Object.freeze({ enabled: true, leaseName: "modelgate-status-writer", leaseDurationSeconds: 15, renewIntervalSeconds: 5 }),
});

type Fields = Record<string, unknown>;
const DNS_LABEL = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

class Reader {
  readonly issues: Issue[] = [];
  mapping(value: unknown, path: string, keys: readonly string[]): Fields | undefined {
    if (value === undefined) return {};
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.issues.push({ path, message: "must be a mapping" });
      return undefined;
    }
    for (const key of Object.keys(value)) {
      if (!keys.includes(key)) this.issues.push({ path: `${path}.${key}`, message: `unknown key; allowed: ${keys.join(", ")}` });
    }
    return value as Fields;
  }
  int(fields: Fields, key: string, path: string, min: number, max: number, fallback: number): number {
    const value = fields[key];
    if (value === undefined) return fallback;
    if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) return value;
    this.issues.push({ path: `${path}.${key}`, message: `must be an integer from ${min} to ${max}` });
    return fallback;
  }
  bool(fields: Fields, key: string, path: string, fallback: boolean): boolean {
    const value = fields[key];
    if (value === undefined || typeof value === "boolean") return value ?? fallback;
    this.issues.push({ path: `${path}.${key}`, message: "must be true or false" });
    return fallback;
  }
  oneOf<T extends string>(fields: Fields, key: string, path: string, allowed: readonly T[], fallback: T): T {
    const value = fields[key];
    if (value === undefined) return fallback;
    const found = allowed.find((a) => a === value);
    if (found === undefined) this.issues.push({ path: `${path}.${key}`, message: `must be one of ${allowed.join(", ")}` });
    return found ?? fallback;
  }
  name(fields: Fields, key: string, path: string, pattern: RegExp, what: string): string | undefined {
    const value = fields[key];
    if (value === undefined || value === "") return undefined;
    if (typeof value === "string" && pattern.test(value)) return value;
    this.issues.push({ path: `${path}.${key}`, message: `must be ${what}` });
    return undefined;
  }
}

const TOP_KEYS = ["kubeconfig", "namespace", "allNamespaces", "apiKeys", "apiKeySource", "watchTimeoutSeconds", "stallGraceSeconds", "relistIntervalSeconds", "requestTimeoutSeconds", "backoff", "statusWriter"];

export function parseKubernetesConfig(raw: unknown, path: string): Result<KubernetesConfig, Issue[]> {
  const r = new Reader();
  const d = DEFAULT_KUBERNETES_CONFIG;
  const top = r.mapping(raw, path, TOP_KEYS) ?? {};
  const backoff = r.mapping(top["backoff"], `${path}.backoff`, ["initialMs", "maxMs"]) ?? {};
  const writer = r.mapping(top["statusWriter"], `${path}.statusWriter`, ["enabled", "leaseName", "leaseDurationSeconds", "renewIntervalSeconds"]) ?? {};
  const kubeconfig = top["kubeconfig"];
  if (kubeconfig !== undefined && (typeof kubeconfig !== "string" || kubeconfig === "")) r.issues.push({ path: `${path}.kubeconfig`, message: "must be a file path" });
  const watchTimeout = r.int(top, "watchTimeoutSeconds", path, 10, 3600, d.watchTimeoutSeconds);
  const stall = r.int(top, "stallGraceSeconds", path, 1, 3600, d.stallGraceSeconds);
  const config: KubernetesConfig = {
    kubeconfig: typeof kubeconfig === "string" && kubeconfig !== "" ? kubeconfig : undefined,
    namespace: r.name(top, "namespace", path, DNS_LABEL, "a namespace name (DNS-1123 label)"),
    allNamespaces: r.bool(top, "allNamespaces", path, d.allNamespaces),
    apiKeys: r.bool(top, "apiKeys", path, d.apiKeys),
    apiKeySource: r.oneOf(top, "apiKeySource", path, API_KEY_SOURCES, d.apiKeySource),
    watchTimeoutSeconds: watchTimeout,
    stallGraceSeconds: stall,
    relistIntervalSeconds: r.int(top, "relistIntervalSeconds", path, 30, 86_400, d.relistIntervalSeconds),
    requestTimeoutSeconds: r.int(top, "requestTimeoutSeconds", path, 1, 600, d.requestTimeoutSeconds),
    backoff: {
      initialMs: r.int(backoff, "initialMs", `${path}.backoff`, 10, 60_000, d.backoff.initialMs),
      maxMs: r.int(backoff, "maxMs", `${path}.backoff`, 100, 600_000, d.backoff.maxMs),
    },
    statusWriter: {
      enabled: r.bool(writer, "enabled", `${path}.statusWriter`, d.statusWriter.enabled),
      leaseName: r.name(writer, "leaseName", `${path}.statusWriter`, DNS_SUBDOMAIN, "a Lease name (DNS-1123 subdomain)") ?? d.statusWriter.leaseName,
      leaseDurationSeconds: r.int(writer, "leaseDurationSeconds", `${path}.statusWriter`, 2, 600, d.statusWriter.leaseDurationSeconds),
      renewIntervalSeconds: r.int(writer, "renewIntervalSeconds", `${path}.statusWriter`, 1, 300, d.statusWriter.renewIntervalSeconds),
    },
  };
  if (config.backoff.maxMs < config.backoff.initialMs) r.issues.push({ path: `${path}.backoff.maxMs`, message: "must not be below initialMs" });
  if (config.statusWriter.renewIntervalSeconds >= config.statusWriter.leaseDurationSeconds) {
    r.issues.push({ path: `${path}.statusWriter.renewIntervalSeconds`, message: "must be shorter than leaseDurationSeconds" });
  }
  return r.issues.length > 0 ? err(r.issues) : ok(Object.freeze(config));
}

import { isAbsolute, resolve } from "node:path";
import { API_KEY_SOURCES, DEFAULT_KUBERNETES_CONFIG, type KubernetesConfig } from "../core/kubernetes-config.ts";
import { ConfigReader } from "../core/parse/config-reader.ts";
import { DNS_LABEL, DNS_SUBDOMAIN } from "../core/parse/kube-names.ts";
import { err, ok, type Issue, type Result } from "../core/result.ts";

// `kubernetes:` in the configuration file (used when `policySource: kubernetes`; the keys and
// their defaults are listed with KubernetesConfig). Absent keys, and keys left empty, keep the
// defaults, as in every other section.

const TOP_KEYS = [
  "kubeconfig",
  "namespace",
  "allNamespaces",
  "apiKeys",
  "apiKeySource",
  "watchTimeoutSeconds",
  "stallGraceSeconds",
  "relistIntervalSeconds",
  "requestTimeoutSeconds",
  "backoff",
  "statusWriter",
];
const BACKOFF_KEYS = ["initialMs", "maxMs"];
const WRITER_KEYS = ["enabled", "leaseName", "leaseDurationSeconds", "renewIntervalSeconds"];

type Raw = Readonly<Record<string, unknown>>;

// An optional Kubernetes name: absent or "" is undefined.
function kubeName(r: ConfigReader, raw: Raw, field: string, pattern: RegExp, what: string): string | undefined {
  const value = r.string(raw, field, "");
  if (value === "" || pattern.test(value)) return value === "" ? undefined : value;
  r.issue(field, `must be ${what}`);
  return undefined;
}

function kubeconfigPath(r: ConfigReader, raw: Raw): string | undefined {
  const value = raw["kubeconfig"];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string" && value !== "") return value;
  r.issue("kubeconfig", "must be a file path");
  return undefined;
}

export function parseKubernetesConfig(value: unknown, path: string): Result<KubernetesConfig, Issue[]> {
  const r = new ConfigReader(path);
  const d = DEFAULT_KUBERNETES_CONFIG;
  const top = r.section(value, "", TOP_KEYS);
  const backoff = r.section(top["backoff"], "backoff", BACKOFF_KEYS);
  const writer = r.section(top["statusWriter"], "statusWriter", WRITER_KEYS);
  const config: KubernetesConfig = {
    kubeconfig: kubeconfigPath(r, top),
    namespace: kubeName(r, top, "namespace", DNS_LABEL, "a namespace name (DNS-1123 label)"),
    allNamespaces: r.boolean(top, "allNamespaces", d.allNamespaces),
    apiKeys: r.boolean(top, "apiKeys", d.apiKeys),
    apiKeySource: r.oneOf(top, "apiKeySource", API_KEY_SOURCES, d.apiKeySource),
    watchTimeoutSeconds: r.integer(top, "watchTimeoutSeconds", d.watchTimeoutSeconds, 10, 3600),
    stallGraceSeconds: r.integer(top, "stallGraceSeconds", d.stallGraceSeconds, 1, 3600),
    relistIntervalSeconds: r.integer(top, "relistIntervalSeconds", d.relistIntervalSeconds, 30, 86_400),
    requestTimeoutSeconds: r.integer(top, "requestTimeoutSeconds", d.requestTimeoutSeconds, 1, 600),
    backoff: {
      initialMs: r.integer(backoff, "backoff.initialMs", d.backoff.initialMs, 10, 60_000),
      maxMs: r.integer(backoff, "backoff.maxMs", d.backoff.maxMs, 100, 600_000),
    },
    statusWriter: {
      enabled: r.boolean(writer, "statusWriter.enabled", d.statusWriter.enabled),
      leaseName:
        kubeName(r, writer, "statusWriter.leaseName", DNS_SUBDOMAIN, "a Lease name (DNS-1123 subdomain)") ?? d.statusWriter.leaseName,
      leaseDurationSeconds: r.integer(writer, "statusWriter.leaseDurationSeconds", d.statusWriter.leaseDurationSeconds, 2, 600),
      renewIntervalSeconds: r.integer(writer, "statusWriter.renewIntervalSeconds", d.statusWriter.renewIntervalSeconds, 1, 300),
    },
  };
  if (config.backoff.maxMs < config.backoff.initialMs) r.issue("backoff.maxMs", "must not be below initialMs");
  if (config.statusWriter.renewIntervalSeconds >= config.statusWriter.leaseDurationSeconds) {
    r.issue("statusWriter.renewIntervalSeconds", "must be shorter than leaseDurationSeconds");
  }
  return r.issues.length > 0 ? err(r.issues) : ok(Object.freeze(config));
}

// The section with a relative kubeconfig anchored at the configuration file's folder.
export function parseKubernetesSection(value: unknown, baseDir: string): { config: KubernetesConfig; issues: Issue[] } {
  if (value === undefined) return { config: DEFAULT_KUBERNETES_CONFIG, issues: [] };
  const parsed = parseKubernetesConfig(value, "kubernetes");
  if (!parsed.ok) return { config: DEFAULT_KUBERNETES_CONFIG, issues: parsed.error };
  const kubeconfig = parsed.value.kubeconfig;
  const absolute = kubeconfig === undefined || isAbsolute(kubeconfig) ? kubeconfig : resolve(baseDir, kubeconfig);
  return { config: { ...parsed.value, kubeconfig: absolute }, issues: [] };
}

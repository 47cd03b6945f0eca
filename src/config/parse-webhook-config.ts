import { PROTOCOLS, type ProtocolName } from "../core/model-action.ts";
import type { FieldParser, Issues, PlainObject } from "../core/parse/fields.ts";
import {
  fieldPath,
  integerParser,
  oneOfParser as oneOf,
  optionalField,
  patternParser,
  readBoolean as bool,
  readList,
  readMapping,
  readObject,
  readString,
  rejectUnknownKeys,
} from "../core/parse/fields.ts";
import { DNS_LABEL, DNS_LABEL_TEXT, DNS_SUBDOMAIN, DNS_SUBDOMAIN_TEXT } from "../core/parse/kube-names.ts";
import { LISTEN_ADDRESS, LISTEN_ADDRESS_TEXT } from "../core/listen-address.ts";
import {
  INJECTOR_CONFIG_DEFAULTS,
  SIDECAR_CONFIG_DEFAULTS,
  type InjectorConfig,
  type ResourceRequirements,
  type SecretKeyRef,
  type SidecarConfig,
  type TlsMode,
} from "../core/inject/injector-config.ts";
import { parseResourceRequirements } from "../core/inject/quantity.ts";
import { err, ok, type Issue, type Result } from "../core/result.ts";

// The `modelgate webhook` configuration file (README "Injecting the sidecar"; names fixed
// with the Helm chart in contracts/deploy-contract.md). Unknown keys are refused with a hint.

export interface WebhookConfig {
  readonly listen: string;
  readonly opsListen: string;
  readonly tls: { readonly certFile: string; readonly keyFile: string };
  readonly injector: InjectorConfig;
}

export const WEBHOOK_DEFAULTS = {
  listen: "0.0.0.0:8443",
  opsListen: "0.0.0.0:9090",
  tls: { certFile: "/etc/modelgate-webhook/tls/tls.crt", keyFile: "/etc/modelgate-webhook/tls/tls.key" },
} as const;

const TOP_KEYS = ["listen", "opsListen", "tls", "namespace", "excludedNamespaces", "sidecar"];
const SIDECAR_KEYS = [
  "image",
  "envoyImage",
  "imagePullPolicy",
  "configMap",
  "redisPasswordSecret",
  "protocol",
  "environment",
  "envoyPort",
  "probePort",
  "opsPort",
  "adminPort",
  "authzTimeoutMs",
  "maxRequestBytes",
  "upstreamHttp2",
  "accessLog",
  "tls",
  "runAsUser",
  "resources",
];
const port = integerParser(1, 65535);
const hostPort = patternParser(LISTEN_ADDRESS, LISTEN_ADDRESS_TEXT);
const objectName = patternParser(DNS_SUBDOMAIN, DNS_SUBDOMAIN_TEXT);
const namespaceName = patternParser(DNS_LABEL, DNS_LABEL_TEXT);
const absolutePath = patternParser(/^\//, "must be an absolute path");
const image = patternParser(/^[A-Za-z0-9][A-Za-z0-9._\-/:@]*$/, "must be a container image reference");
// Kubernetes' rule for the keys of a Secret's data.
const secretKey = patternParser(/^[-._a-zA-Z0-9]{1,253}$/, "must be a Secret key (letters, digits, '-', '_' and '.')");

function secretRef(v: unknown, p: string, i: Issues): SecretKeyRef | undefined {
  const obj = readMapping(v, ["name", "key"], p, i);
  if (obj === undefined) return undefined;
  const name = optionalField(obj, "name", p, i, objectName);
  const key = optionalField(obj, "key", p, i, secretKey) ?? "password";
  if (name === undefined) i.push({ path: fieldPath(p, "name"), message: "is required" });
  return name === undefined ? undefined : { name, key };
}

function requirements(v: unknown, p: string, i: Issues): ResourceRequirements | undefined {
  const parsed = parseResourceRequirements(v);
  if ("value" in parsed) return parsed.value;
  i.push({ path: p, message: parsed.problem });
  return undefined;
}

function sidecarResources(v: unknown, p: string, i: Issues): SidecarConfig["resources"] | undefined {
  const obj = readMapping(v, ["modelgate", "envoy"], p, i);
  if (obj === undefined) return undefined;
  const d = SIDECAR_CONFIG_DEFAULTS.resources;
  return {
    modelgate: optionalField(obj, "modelgate", p, i, requirements) ?? d.modelgate,
    envoy: optionalField(obj, "envoy", p, i, requirements) ?? d.envoy,
  };
}

function sidecarTls(v: unknown, p: string, i: Issues): SidecarConfig["tls"] | undefined {
  const obj = readMapping(v, ["mode", "secretName"], p, i);
  if (obj === undefined) return undefined;
  const d = SIDECAR_CONFIG_DEFAULTS.tls;
  return {
    mode: optionalField(obj, "mode", p, i, oneOf<TlsMode>(["off", "tls", "mtls"])) ?? d.mode,
    secretName: optionalField(obj, "secretName", p, i, objectName) ?? d.secretName,
  };
}

function parseSidecar(v: unknown, p: string, i: Issues): SidecarConfig {
  const d = SIDECAR_CONFIG_DEFAULTS;
  const obj = readMapping(v, SIDECAR_KEYS, p, i);
  if (obj === undefined) return d;
  const f = <T>(key: string, parse: FieldParser<T>, fallback: T): T => optionalField(obj, key, p, i, parse) ?? fallback;
  const sidecar: SidecarConfig = {
    image: f("image", image, d.image),
    envoyImage: f("envoyImage", image, d.envoyImage),
    imagePullPolicy: f("imagePullPolicy", oneOf(["Always", "IfNotPresent", "Never"] as const), d.imagePullPolicy),
    configMap: f("configMap", objectName, d.configMap),
    redisPasswordSecret: optionalField(obj, "redisPasswordSecret", p, i, secretRef),
    protocol: f("protocol", oneOf<ProtocolName>(PROTOCOLS), d.protocol),
    environment: f("environment", readString, d.environment),
    envoyPort: f("envoyPort", port, d.envoyPort),
    probePort: f("probePort", port, d.probePort),
    opsPort: f("opsPort", port, d.opsPort),
    adminPort: f("adminPort", port, d.adminPort),
    authzTimeoutMs: f("authzTimeoutMs", integerParser(1, 1000), d.authzTimeoutMs),
    maxRequestBytes: f("maxRequestBytes", integerParser(1, 64 * 1024 * 1024), d.maxRequestBytes),
    upstreamHttp2: f("upstreamHttp2", bool, d.upstreamHttp2),
    accessLog: f("accessLog", bool, d.accessLog),
    tls: f("tls", sidecarTls, d.tls),
    runAsUser: f("runAsUser", integerParser(1, 2 ** 31 - 1), d.runAsUser),
    resources: f("resources", sidecarResources, d.resources),
  };
  const ports = [sidecar.envoyPort, sidecar.probePort, sidecar.opsPort, sidecar.adminPort];
  if (new Set(ports).size !== ports.length)
    i.push({ path: fieldPath(p, "envoyPort"), message: "envoyPort, probePort, opsPort and adminPort must all differ" });
  return sidecar;
}

function tlsFiles(v: unknown, p: string, i: Issues): WebhookConfig["tls"] | undefined {
  const obj = readMapping(v, ["certFile", "keyFile"], p, i);
  if (obj === undefined) return undefined;
  const d = WEBHOOK_DEFAULTS.tls;
  return {
    certFile: optionalField(obj, "certFile", p, i, absolutePath) ?? d.certFile,
    keyFile: optionalField(obj, "keyFile", p, i, absolutePath) ?? d.keyFile,
  };
}

const namespaceList: FieldParser<readonly string[]> = (v, p, i) => readList(v, 0, p, i, (item, ip) => namespaceName(item, ip, i));

// `doc` is the parsed YAML (undefined for an empty file); POD_NAMESPACE (the downward API)
// names the webhook's own namespace better than a file can.
export function parseWebhookConfig(doc: unknown, env: Readonly<Record<string, string | undefined>>): Result<WebhookConfig, Issue[]> {
  const issues: Issues = [];
  const obj: PlainObject = doc === undefined || doc === null ? {} : (readObject(doc, "", issues) ?? {});
  rejectUnknownKeys(obj, TOP_KEYS, "", issues);
  const envNamespace = env["POD_NAMESPACE"];
  const config: WebhookConfig = {
    listen: optionalField(obj, "listen", "", issues, hostPort) ?? WEBHOOK_DEFAULTS.listen,
    opsListen: optionalField(obj, "opsListen", "", issues, hostPort) ?? WEBHOOK_DEFAULTS.opsListen,
    tls: optionalField(obj, "tls", "", issues, tlsFiles) ?? WEBHOOK_DEFAULTS.tls,
    injector: {
      namespace:
        envNamespace !== undefined && envNamespace !== ""
          ? envNamespace
          : (optionalField(obj, "namespace", "", issues, namespaceName) ?? INJECTOR_CONFIG_DEFAULTS.namespace),
      excludedNamespaces:
        optionalField(obj, "excludedNamespaces", "", issues, namespaceList) ?? INJECTOR_CONFIG_DEFAULTS.excludedNamespaces,
      sidecar: obj["sidecar"] === undefined ? SIDECAR_CONFIG_DEFAULTS : parseSidecar(obj["sidecar"], "sidecar", issues),
    },
  };
  return issues.length === 0 ? ok(config) : err(issues);
}

import { PROTOCOLS, type ProtocolName } from "../model-action.ts";
import { modelNameProblem } from "../request/profiles/model-name.ts";
import { err, ok, type Result } from "../result.ts";
import type { ResourceRequirements, SidecarConfig, TlsMode } from "./injector-config.ts";
import { parseResourceRequirements } from "./quantity.ts";
import { DNS_LABEL, DNS_SUBDOMAIN } from "../parse/kube-names.ts";
import { unknownKeyMessage } from "../parse/fields.ts";

// The per-pod annotations (README "Injecting the sidecar"). Every value is checked; a bad one
// refuses the pod with a message naming the annotation and the fix, because a pod started
// with a guessed setting may be an unprotected or unreachable one.

export const ANNOTATION = {
  inject: "modelgate.io/inject",
  model: "modelgate.io/model",
  modelPort: "modelgate.io/model-port",
  modelContainer: "modelgate.io/model-container",
  protocol: "modelgate.io/protocol",
  environment: "modelgate.io/environment",
  tls: "modelgate.io/tls",
  tlsSecret: "modelgate.io/tls-secret",
  upstreamHttp2: "modelgate.io/upstream-http2",
  maxRequestBytes: "modelgate.io/max-request-bytes",
  authzTimeoutMs: "modelgate.io/authz-timeout-ms",
  image: "modelgate.io/image",
  envoyImage: "modelgate.io/envoy-image",
  modelgateResources: "modelgate.io/modelgate-resources",
  envoyResources: "modelgate.io/envoy-resources",
  configMap: "modelgate.io/config-map",
} as const;

export const INJECTED_LABEL = "modelgate.io/injected";

const KNOWN = new Set<string>(Object.values(ANNOTATION));

export interface Rejection {
  readonly annotation: string; // the annotation (or pod field) at fault
  readonly message: string;
}

// What one pod gets: the webhook config with the pod's overrides applied.
export interface PodSettings {
  readonly model: string;
  readonly modelPort: number | undefined; // undefined: the model container's only port
  readonly modelContainer: string | undefined;
  readonly protocol: ProtocolName;
  readonly environment: string;
  readonly tlsMode: TlsMode;
  readonly tlsSecret: string;
  readonly upstreamHttp2: boolean;
  readonly maxRequestBytes: number;
  readonly authzTimeoutMs: number;
  readonly image: string;
  readonly envoyImage: string;
  readonly modelgateResources: ResourceRequirements;
  readonly envoyResources: ResourceRequirements;
  readonly configMap: string;
}

type Annotations = Readonly<Record<string, string>>;

// "true" asks for injection; absent or "false" does not; anything else is a mistake worth refusing.
export function injectionRequested(annotations: Annotations): Result<boolean, Rejection> {
  const value = annotations[ANNOTATION.inject];
  if (value === undefined || value === "false") return ok(false);
  if (value === "true") return ok(true);
  return err({
    annotation: ANNOTATION.inject,
    message: `${JSON.stringify(value)} is neither "true" nor "false"; set it to "true" to protect this pod with modelgate`,
  });
}

const IMAGE = /^[A-Za-z0-9][A-Za-z0-9._\-/:@]*$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

class Reader {
  readonly rejections: Rejection[] = [];
  private readonly annotations: Annotations;
  constructor(annotations: Annotations) {
    this.annotations = annotations;
  }

  value<T>(name: string, fallback: T, parse: (raw: string) => { value: T } | { fix: string }): T {
    const raw = this.annotations[name];
    if (raw === undefined) return fallback;
    const parsed = parse(raw);
    if ("value" in parsed) return parsed.value;
    this.rejections.push({ annotation: name, message: `${JSON.stringify(raw.slice(0, 100))}: ${parsed.fix}` });
    return fallback;
  }
}

function integer(min: number, max: number, what: string): (raw: string) => { value: number } | { fix: string } {
  return (raw) => {
    const n = /^\d{1,10}$/.test(raw) ? Number(raw) : Number.NaN;
    return Number.isInteger(n) && n >= min && n <= max ? { value: n } : { fix: `must be ${what}: a whole number from ${min} to ${max}` };
  };
}

function oneOf<T extends string>(choices: readonly T[], what: string): (raw: string) => { value: T } | { fix: string } {
  return (raw) =>
    (choices as readonly string[]).includes(raw)
      ? { value: raw as T }
      : { fix: `is not a known ${what}; use one of ${choices.join(", ")}` };
}

function boolean(raw: string): { value: boolean } | { fix: string } {
  return raw === "true" || raw === "false" ? { value: raw === "true" } : { fix: 'must be "true" or "false"' };
}

function name(pattern: RegExp, max: number, what: string): (raw: string) => { value: string } | { fix: string } {
  return (raw) =>
    raw.length <= max && pattern.test(raw)
      ? { value: raw }
      : { fix: `is not a valid ${what} (lowercase letters, digits and "-", at most ${max} characters)` };
}

function image(raw: string): { value: string } | { fix: string } {
  return raw.length <= 512 && IMAGE.test(raw)
    ? { value: raw }
    : { fix: "is not a container image reference; use e.g. registry.example/modelgate:0.1.0" };
}

function model(raw: string): { value: string } | { fix: string } {
  const problem = modelNameProblem(raw);
  return problem === undefined
    ? { value: raw }
    : { fix: `${problem}; give the model name clients use in their requests, or remove the annotation` };
}

function environment(raw: string): { value: string } | { fix: string } {
  return raw.length <= 256 && !CONTROL.test(raw) ? { value: raw } : { fix: "must be at most 256 characters without control characters" };
}

function resources(raw: string): { value: ResourceRequirements } | { fix: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { fix: 'is not JSON; write e.g. {"requests":{"cpu":"100m","memory":"128Mi"},"limits":{"memory":"256Mi"}}' };
  }
  const parsed = parseResourceRequirements(json);
  return "value" in parsed ? parsed : { fix: parsed.problem };
}

function unknownAnnotations(annotations: Annotations): Rejection[] {
  return Object.keys(annotations)
    .filter((k) => k.startsWith("modelgate.io/") && !KNOWN.has(k))
    .map((k) => ({ annotation: k, message: unknownKeyMessage(k, [...KNOWN]) }));
}

export function readPodSettings(annotations: Annotations, config: SidecarConfig): Result<PodSettings, Rejection[]> {
  const r = new Reader(annotations);
  const A = ANNOTATION;
  const settings: PodSettings = {
    model: r.value(A.model, "", model),
    modelPort: r.value<number | undefined>(A.modelPort, undefined, integer(1, 65535, "the port the model server listens on in the pod")),
    modelContainer: r.value<string | undefined>(A.modelContainer, undefined, name(DNS_LABEL, 63, "container name")),
    protocol: r.value(A.protocol, config.protocol, oneOf(PROTOCOLS, "protocol profile")),
    environment: r.value(A.environment, config.environment, environment),
    tlsMode: r.value<TlsMode>(A.tls, config.tls.mode, oneOf(["off", "tls", "mtls"] as const, "TLS mode")),
    tlsSecret: r.value(A.tlsSecret, config.tls.secretName, name(DNS_SUBDOMAIN, 253, "Secret name")),
    upstreamHttp2: r.value(A.upstreamHttp2, config.upstreamHttp2, boolean),
    maxRequestBytes: r.value(
      A.maxRequestBytes,
      config.maxRequestBytes,
      integer(1, 64 * 1024 * 1024, "the largest request body modelgate sees"),
    ),
    authzTimeoutMs: r.value(A.authzTimeoutMs, config.authzTimeoutMs, integer(1, 1000, "the ext_authz timeout in milliseconds")),
    image: r.value(A.image, config.image, image),
    envoyImage: r.value(A.envoyImage, config.envoyImage, image),
    modelgateResources: r.value(A.modelgateResources, config.resources.modelgate, resources),
    envoyResources: r.value(A.envoyResources, config.resources.envoy, resources),
    configMap: r.value(A.configMap, config.configMap, name(DNS_SUBDOMAIN, 253, "ConfigMap name")),
  };
  const rejections = [...unknownAnnotations(annotations), ...r.rejections];
  return rejections.length === 0 ? ok(settings) : err(rejections);
}

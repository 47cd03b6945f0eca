import { describe, expect, it } from "vitest";
import type { Config } from "../../src/config/config.ts";
import { parseConfig } from "../../src/config/parse-config.ts";
import { DEFAULT_IDENTITY } from "../../src/config/parse-identity.ts";
import { AUDIT_DEFAULTS } from "../../src/core/audit/audit-config.ts";
import { DEFAULT_KUBERNETES_CONFIG } from "../../src/core/kubernetes-config.ts";
import type { Issue } from "../../src/core/result.ts";

const BASE = "/etc/modelgate";

const DEFAULTS: Config = {
  listen: "127.0.0.1:9001",
  reusePort: false,
  socket: undefined,
  metricsListen: "127.0.0.1:9090",
  model: "",
  protocol: "generic",
  routingHeader: undefined,
  environment: "",
  namespace: "default",
  policyFiles: [],
  keyFiles: [],
  identity: DEFAULT_IDENTITY,
  audit: AUDIT_DEFAULTS,
  redisLimiter: undefined,
  anomaly: undefined,
  policySource: "files",
  kubernetes: DEFAULT_KUBERNETES_CONFIG,
  maxInFlight: 2048,
  maxReceiveBytes: 8_388_608,
  shutdownGraceMs: 10_000,
  logLevel: "info",
  watchFiles: true,
};

function ok(doc: unknown, env: Record<string, string | undefined> = {}, base = BASE): Config {
  const r = parseConfig(doc, env, base);
  if (!r.ok) throw new Error(`unexpected issues: ${JSON.stringify(r.error)}`);
  return r.value;
}

function issues(doc: unknown, env: Record<string, string | undefined> = {}): Issue[] {
  const r = parseConfig(doc, env, BASE);
  if (r.ok) throw new Error(`expected issues, got ${JSON.stringify(r.value)}`);
  return r.error;
}

// A file that sets every overridable key to something other than the default and the env values.
const FILE = {
  listen: "10.1.1.1:7001",
  socket: "file.sock",
  metricsListen: "10.1.1.1:7090",
  model: "from-file",
  protocol: "kserve-v1",
  environment: "file-env",
  namespace: "file-ns",
  logLevel: "warn",
};

describe("parseConfig: defaults", () => {
  it("no file and no environment gives the README defaults", () => {
    expect(ok(undefined)).toEqual(DEFAULTS);
  });

  it("an empty YAML document (null) gives the defaults", () => {
    expect(ok(null)).toEqual(DEFAULTS);
  });

  it("an empty mapping gives the defaults", () => {
    expect(ok({})).toEqual(DEFAULTS);
  });

  it("the result is frozen", () => {
    const config = ok({});
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("the result is frozen all the way down", () => {
    const config = ok({ policies: { files: ["p.yaml"] }, audit: { file: { path: "a.jsonl" } } });
    for (const part of [
      config.policyFiles,
      config.identity,
      config.identity.sources,
      config.audit,
      config.audit.file,
      config.kubernetes.backoff,
    ]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
  });

  it("reads every key from the file", () => {
    expect(ok({ ...FILE, maxInFlight: 7, maxReceiveBytes: 65_536, shutdownGraceSeconds: 3, watchFiles: false })).toEqual({
      ...DEFAULTS,
      listen: "10.1.1.1:7001",
      socket: `${BASE}/file.sock`,
      metricsListen: "10.1.1.1:7090",
      model: "from-file",
      protocol: "kserve-v1",
      environment: "file-env",
      namespace: "file-ns",
      logLevel: "warn",
      maxInFlight: 7,
      maxReceiveBytes: 65_536,
      shutdownGraceMs: 3_000,
      watchFiles: false,
    });
  });

  it.each<[string, Record<string, unknown>, Partial<Config>]>([
    ["listen on IPv6", { listen: "[::1]:9001" }, { listen: "[::1]:9001" }],
    ["listen on a host name, port 0", { listen: "localhost:0" }, { listen: "localhost:0" }],
    ["the highest port", { metricsListen: "0.0.0.0:65535" }, { metricsListen: "0.0.0.0:65535" }],
    ["maxInFlight 1", { maxInFlight: 1 }, { maxInFlight: 1 }],
    ["maxInFlight 1 000 000", { maxInFlight: 1_000_000 }, { maxInFlight: 1_000_000 }],
    ["shutdownGraceSeconds 0", { shutdownGraceSeconds: 0 }, { shutdownGraceMs: 0 }],
    ["shutdownGraceSeconds 600", { shutdownGraceSeconds: 600 }, { shutdownGraceMs: 600_000 }],
    ["maxReceiveBytes 256 MiB", { maxReceiveBytes: 268_435_456 }, { maxReceiveBytes: 268_435_456 }],
    ["an OpenAI-style model name with a slash", { model: "meta-llama/Llama-3.1-8B" }, { model: "meta-llama/Llama-3.1-8B" }],
    ["every protocol profile: openai", { protocol: "openai" }, { protocol: "openai" }],
    ["every protocol profile: torchserve", { protocol: "torchserve" }, { protocol: "torchserve" }],
    ["every protocol profile: open-inference-v2", { protocol: "open-inference-v2" }, { protocol: "open-inference-v2" }],
    ["an empty files list", { policies: { files: [] }, apiKeys: {} }, { policyFiles: [], keyFiles: [] }],
    ["Seldon's routing header", { routingHeader: "seldon-model" }, { routingHeader: "seldon-model" }],
    ["ModelMesh's routing header", { routingHeader: "mm-vmodel-id" }, { routingHeader: "mm-vmodel-id" }],
    ["no routing header, said explicitly", { routingHeader: "none" }, { routingHeader: undefined }],
  ])("accepts %s", (_name, doc, expected) => {
    expect(ok(doc)).toEqual({ ...DEFAULTS, ...expected });
  });
});

describe("parseConfig: environment overrides win over the file", () => {
  it.each<[string, string, Partial<Config>]>([
    ["MODELGATE_LISTEN", "0.0.0.0:9101", { listen: "0.0.0.0:9101" }],
    ["MODELGATE_SOCKET", "/run/modelgate/authz.sock", { socket: "/run/modelgate/authz.sock" }],
    ["MODELGATE_METRICS_LISTEN", "0.0.0.0:9190", { metricsListen: "0.0.0.0:9190" }],
    ["MODELGATE_MODEL", "churn-model", { model: "churn-model" }],
    ["MODELGATE_PROTOCOL", "openai", { protocol: "openai" }],
    ["MODELGATE_ENVIRONMENT", "prod", { environment: "prod" }],
    ["MODELGATE_NAMESPACE", "ml-staging", { namespace: "ml-staging" }],
    ["MODELGATE_LOG_LEVEL", "debug", { logLevel: "debug" }],
  ])("%s=%s", (name, value, expected) => {
    const fromFile = ok(FILE);
    const overridden = ok(FILE, { [name]: value });
    expect(overridden).toEqual({ ...fromFile, ...expected });
    // …and over the default when there is no file.
    expect(ok(undefined, { [name]: value })).toEqual({ ...DEFAULTS, ...expected });
  });

  it("all overrides at once", () => {
    const env = {
      MODELGATE_LISTEN: "0.0.0.0:1",
      MODELGATE_SOCKET: "/s",
      MODELGATE_METRICS_LISTEN: "0.0.0.0:2",
      MODELGATE_MODEL: "m",
      MODELGATE_PROTOCOL: "torchserve",
      MODELGATE_ENVIRONMENT: "e",
      MODELGATE_NAMESPACE: "n",
      MODELGATE_LOG_LEVEL: "error",
    };
    expect(ok(FILE, env)).toMatchObject({
      listen: "0.0.0.0:1",
      socket: "/s",
      metricsListen: "0.0.0.0:2",
      model: "m",
      protocol: "torchserve",
      environment: "e",
      namespace: "n",
      logLevel: "error",
    });
  });

  it("MODELGATE_MODEL and MODELGATE_ENVIRONMENT may be set to empty", () => {
    expect(ok(FILE, { MODELGATE_MODEL: "", MODELGATE_ENVIRONMENT: "" })).toMatchObject({ model: "", environment: "" });
  });

  it("an undefined variable is no override", () => {
    expect(ok(FILE, { MODELGATE_LISTEN: undefined })).toEqual(ok(FILE));
  });

  it("other variables are ignored (keys without an override stay file-only)", () => {
    expect(ok({ maxInFlight: 5 }, { MODELGATE_MAX_IN_FLIGHT: "9", MODELGATE_WATCH_FILES: "false", listen: "0.0.0.0:1" })).toEqual({
      ...DEFAULTS,
      maxInFlight: 5,
    });
  });

  it.each<[string, string, RegExp]>([
    ["MODELGATE_LISTEN", "9001", /host:port/],
    ["MODELGATE_LISTEN", "", /host:port/],
    ["MODELGATE_LISTEN", "127.0.0.1:99999", /host:port/],
    ["MODELGATE_LISTEN", " 127.0.0.1:9001", /host:port/],
    ["MODELGATE_METRICS_LISTEN", ":9090", /host:port/],
    ["MODELGATE_PROTOCOL", "OpenAI", /must be one of generic, kserve-v1, open-inference-v2, openai, torchserve/],
    ["MODELGATE_PROTOCOL", "", /must be one of/],
    ["MODELGATE_LOG_LEVEL", "verbose", /must be one of debug, info, warn, error/],
    ["MODELGATE_LOG_LEVEL", "DEBUG", /must be one of/],
    ["MODELGATE_NAMESPACE", "ML_Prod", /DNS-1123 label/],
    ["MODELGATE_NAMESPACE", "", /DNS-1123 label/],
    ["MODELGATE_NAMESPACE", "a".repeat(64), /DNS-1123 label/],
    ["MODELGATE_MODEL", "team//fraud", /empty, `.` or `..` segment/],
    ["MODELGATE_MODEL", "../secret", /segment/],
    ["MODELGATE_MODEL", "bad\u0007name", /control character/],
  ])("rejects %s=%j, naming the variable", (name, value, message) => {
    const found = issues(FILE, { [name]: value });
    expect(found).toHaveLength(1);
    expect(found[0]?.path).toBe(`$${name}`);
    expect(found[0]?.message).toMatch(message);
  });

  it("the same mistake in the file names the key, not the variable", () => {
    expect(issues({ protocol: "OpenAI" })).toEqual([{ path: "protocol", message: expect.stringMatching(/must be one of/) }]);
    expect(issues({ namespace: "ML_Prod" })).toEqual([{ path: "namespace", message: expect.stringMatching(/DNS-1123 label/) }]);
  });
});

describe("parseConfig: paths", () => {
  it("resolves relative policy, key and socket paths against the base directory and keeps absolute ones", () => {
    const config = ok({
      socket: "run/authz.sock",
      policies: { files: ["policies.yaml", "sub/more.yaml", "/abs/p.yaml", "../up.yaml"] },
      apiKeys: { files: ["keys.yaml"] },
    });
    expect(config.socket).toBe("/etc/modelgate/run/authz.sock");
    expect(config.policyFiles).toEqual(["/etc/modelgate/policies.yaml", "/etc/modelgate/sub/more.yaml", "/abs/p.yaml", "/etc/up.yaml"]);
    expect(config.keyFiles).toEqual(["/etc/modelgate/keys.yaml"]);
  });

  it("an absolute socket path is kept", () => {
    expect(ok({ socket: "/run/authz.sock" }).socket).toBe("/run/authz.sock");
  });
});

describe("parseConfig: reusePort", () => {
  it("with a fixed port, several processes may share it", () => {
    expect(ok({ listen: "0.0.0.0:9001", reusePort: true })).toMatchObject({ listen: "0.0.0.0:9001", reusePort: true });
  });

  it("refuses port 0 from the environment too, naming the variable that set it", () => {
    expect(issues({ listen: "0.0.0.0:9001", reusePort: true }, { MODELGATE_LISTEN: "127.0.0.1:0" })).toEqual([
      { path: "reusePort", message: 'needs a fixed port in $MODELGATE_LISTEN (got "127.0.0.1:0")' },
    ]);
  });
});

describe("parseConfig: every problem, with its path", () => {
  it("reports all mistakes of one document, not just the first", () => {
    const found = issues({
      lisen: "x",
      protocol: "grpc",
      maxInFlight: 0,
      logLevel: "loud",
      policies: { files: "p.yaml" },
      identity: { sources: ["kerberos"] },
    });
    expect(found.map((i) => i.path).sort()).toEqual(["identity.sources", "lisen", "logLevel", "maxInFlight", "policies.files", "protocol"]);
  });

  it.each<[string, unknown, string]>([
    ["a list", ["listen"], ""],
    ["a string", "listen: 1", ""],
    ["a number", 42, ""],
    ["listen as a number", { listen: 9001 }, "listen"],
    ["watchFiles as a string", { watchFiles: "true" }, "watchFiles"],
    ["reusePort as a string", { listen: "0.0.0.0:9001", reusePort: "true" }, "reusePort"],
    ["maxInFlight too large", { maxInFlight: 1_000_001 }, "maxInFlight"],
    ["maxReceiveBytes too large", { maxReceiveBytes: 268_435_457 }, "maxReceiveBytes"],
    ["shutdownGraceSeconds as a string", { shutdownGraceSeconds: "10s" }, "shutdownGraceSeconds"],
    ["apiKeys as a string", { apiKeys: "keys.yaml" }, "apiKeys"],
    ["a file path that is a number", { apiKeys: { files: [1] } }, "apiKeys.files"],
    ["identity.sources not a list", { identity: { sources: "apikey" } }, "identity.sources"],
    ["identity as a list", { identity: ["apikey"] }, "identity"],
    ["protocol as a number", { protocol: 1 }, "protocol"],
    ["a routing header the stacks do not use", { routingHeader: "x-model" }, "routingHeader"],
  ])("%s", (_name, doc, path) => {
    const found = issues(doc);
    expect(found.map((i) => i.path)).toContain(path);
    for (const issue of found) expect(issue.message.length).toBeGreaterThan(5);
  });
});

import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_IDENTITY } from "../../src/config/parse-identity.ts";
import { AUDIT_DEFAULTS } from "../../src/core/audit/audit-config.ts";
import { DEFAULT_KUBERNETES_CONFIG } from "../../src/core/kubernetes-config.ts";
import { loadConfig } from "../../src/config/load-config.ts";
import type { Config } from "../../src/config/config.ts";
import type { Issue } from "../../src/core/result.ts";

const HERE = import.meta.dirname;
const INVALID = join(HERE, "fixtures", "invalid");
const VALID = join(HERE, "fixtures", "valid");
const REPO = resolve(HERE, "../..");

function loaded(path: string | undefined, env: Record<string, string | undefined> = {}, cwd = REPO): Config {
  const r = loadConfig(path, env, cwd);
  if (!r.ok) throw new Error(`unexpected issues: ${JSON.stringify(r.error)}`);
  return r.value;
}

function problems(path: string | undefined, env: Record<string, string | undefined> = {}, cwd = REPO): Issue[] {
  const r = loadConfig(path, env, cwd);
  if (r.ok) throw new Error(`expected issues for ${path}`);
  return r.error;
}

// One file per mistake. `path` is what follows "<absolute file>: " in the issue path; null means
// the whole file is rejected before any key is read (the issue path is the file itself).
const EXPECTATIONS: Record<string, { path: string | null; message: RegExp }> = {
  "unknown-key.yaml": { path: "lisen", message: /unknown field/ },
  "listen-without-port.yaml": { path: "listen", message: /host:port.*"127\.0\.0\.1"/ },
  "port-out-of-range.yaml": { path: "listen", message: /host:port.*70000/ },
  "metrics-listen-without-host.yaml": { path: "metricsListen", message: /host:port/ },
  "protocol-unknown.yaml": {
    path: "protocol",
    message: /must be one of generic, kserve-v1, open-inference-v2, openai, torchserve \(got "grpc"\)/,
  },
  "policies-not-a-list.yaml": { path: "policies.files", message: /list of file paths/ },
  "policies-not-a-mapping.yaml": { path: "policies", message: /mapping with a `files` list/ },
  "policies-unknown-subkey.yaml": { path: "policies.watch", message: /unknown field/ },
  "api-keys-empty-path.yaml": { path: "apiKeys.files", message: /list of file paths/ },
  "identity-source-unknown.yaml": { path: "identity.sources", message: /non-empty list of apikey, mtls, jwt/ },
  "identity-unknown-subkey.yaml": { path: "identity.source", message: /unknown field/ },
  "max-in-flight-zero.yaml": { path: "maxInFlight", message: /integer from 1 to 1000000/ },
  "max-in-flight-not-integer.yaml": { path: "maxInFlight", message: /integer/ },
  "max-in-flight-string.yaml": { path: "maxInFlight", message: /integer/ },
  "max-receive-bytes-too-small.yaml": { path: "maxReceiveBytes", message: /integer from 65536/ },
  "shutdown-grace-negative.yaml": { path: "shutdownGraceSeconds", message: /integer from 0 to 600/ },
  "log-level-unknown.yaml": { path: "logLevel", message: /must be one of debug, info, warn, error/ },
  "watch-files-not-boolean.yaml": { path: "watchFiles", message: /true or false/ },
  "model-not-a-string.yaml": { path: "model", message: /must be a string/ },
  "model-invalid.yaml": { path: "model", message: /segment/ },
  "namespace-not-dns-label.yaml": { path: "namespace", message: /DNS-1123 label/ },
  "socket-not-a-string.yaml": { path: "socket", message: /must be a string/ },
  "reuse-port-not-boolean.yaml": { path: "reusePort", message: /true or false/ },
  "reuse-port-on-any-free-port.yaml": { path: "reusePort", message: /needs a fixed port in listen \(got "0\.0\.0\.0:0"\)/ },
  "not-a-mapping.yaml": { path: "", message: /must be a mapping/ },
  "scalar-document.yaml": { path: "", message: /must be a mapping/ },
  "yaml-syntax-error.yaml": { path: null, message: /invalid YAML/ },
  "duplicate-key.yaml": { path: null, message: /invalid YAML.*unique/is },
  "multiple-documents.yaml": { path: null, message: /invalid YAML/ },
  "alias-bomb.yaml": { path: null, message: /invalid YAML.*alias/is },
  "anomaly-policies-moved.yaml": { path: "anomaly.policies", message: /moved to each AccessPolicy's spec\.anomaly/ },
};

describe("loadConfig: one fixture per mistake", () => {
  it("every fixture has an expectation and every expectation a fixture", () => {
    expect(readdirSync(INVALID).sort()).toEqual(Object.keys(EXPECTATIONS).sort());
  });

  it.each(Object.entries(EXPECTATIONS))("%s", (file, { path, message }) => {
    const absolute = join(INVALID, file);
    const found = problems(absolute);
    expect(found).toHaveLength(1);
    expect(found[0]?.path).toBe(path === null ? absolute : `${absolute}: ${path}`);
    expect(found[0]?.message).toMatch(message);
  });
});

describe("loadConfig: files", () => {
  it("a missing config file is one clear issue naming the file", () => {
    const found = problems("does-not-exist.yaml", {}, "/tmp");
    expect(found).toEqual([
      { path: "/tmp/does-not-exist.yaml", message: expect.stringMatching(/^cannot read the configuration file: .*ENOENT/) },
    ]);
  });

  it("a directory instead of a file is an issue too", () => {
    expect(problems(VALID)[0]?.message).toMatch(/cannot read the configuration file/);
  });

  it("without a file or MODELGATE_CONFIG the defaults apply", () => {
    expect(loaded(undefined)).toMatchObject({ listen: "127.0.0.1:9001", policyFiles: [], protocol: "generic" });
    expect(loaded(undefined, { MODELGATE_CONFIG: "" })).toMatchObject({ listen: "127.0.0.1:9001" });
  });

  it("a comments-only file gives the defaults", () => {
    expect(loaded(join(VALID, "empty.yaml"))).toEqual(loaded(undefined));
  });

  it("resolves relative paths in the file against the file's directory, not the working directory", () => {
    const config = loaded("test/config/fixtures/valid/full.yaml", {}, REPO);
    expect(config).toEqual({
      listen: "[::1]:7001",
      reusePort: true,
      socket: join(VALID, "run/authz.sock"),
      metricsListen: "0.0.0.0:0",
      model: "meta-llama/Llama-3.1-8B",
      protocol: "openai",
      environment: "staging",
      namespace: "ml-prod",
      policyFiles: [join(VALID, "policies/a.yaml"), "/etc/modelgate/b.yaml"],
      keyFiles: [join(HERE, "fixtures", "keys.yaml")],
      identity: DEFAULT_IDENTITY,
      audit: AUDIT_DEFAULTS,
      redisLimiter: undefined,
      anomaly: undefined,
      policySource: "files",
      kubernetes: DEFAULT_KUBERNETES_CONFIG,
      maxInFlight: 1,
      maxReceiveBytes: 65_536,
      shutdownGraceMs: 0,
      logLevel: "debug",
      watchFiles: false,
    });
    // The same file reached from another working directory gives the same paths.
    expect(loaded("fixtures/valid/full.yaml", {}, join(REPO, "test", "config"))).toEqual(config);
  });

  it("MODELGATE_CONFIG names the file when --config is absent; --config wins over it", () => {
    const full = join(VALID, "full.yaml");
    expect(loaded(undefined, { MODELGATE_CONFIG: full }).protocol).toBe("openai");
    expect(loaded(join(VALID, "empty.yaml"), { MODELGATE_CONFIG: full }).protocol).toBe("generic");
    expect(problems(undefined, { MODELGATE_CONFIG: "nope.yaml" }, "/tmp")[0]?.path).toBe("/tmp/nope.yaml");
  });

  it("environment overrides win over the file", () => {
    const config = loaded(join(VALID, "full.yaml"), {
      MODELGATE_PROTOCOL: "generic",
      MODELGATE_LISTEN: "127.0.0.1:7002",
      MODELGATE_NAMESPACE: "default",
    });
    expect(config).toMatchObject({ protocol: "generic", listen: "127.0.0.1:7002", namespace: "default", model: "meta-llama/Llama-3.1-8B" });
  });

  it("a bad override is reported by its variable name, not as a problem in the file", () => {
    const found = problems(join(VALID, "full.yaml"), { MODELGATE_LOG_LEVEL: "loud" });
    expect(found).toEqual([{ path: "$MODELGATE_LOG_LEVEL", message: expect.stringMatching(/must be one of/) }]);
  });

  it("loads the embedded example that `npm start` serves", () => {
    const examples = join(REPO, "deploy", "examples");
    expect(loaded("deploy/examples/modelgate.yaml")).toMatchObject({
      model: "fraud-detector",
      protocol: "open-inference-v2",
      policyFiles: [join(examples, "policies.yaml")],
      keyFiles: [join(examples, "keys.yaml")],
    });
  });
});

describe("loadConfig: a config written at run time", () => {
  const dir = mkdtempSync(join(tmpdir(), "modelgate-config-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("resolves against the directory the file is in, even through a relative --config", () => {
    mkdirSync(join(dir, "conf"));
    writeFileSync(join(dir, "conf", "mg.yaml"), "policies:\n  files: [p.yaml]\nsocket: s.sock\n");
    const config = loaded("conf/mg.yaml", {}, dir);
    expect(config.policyFiles).toEqual([join(dir, "conf", "p.yaml")]);
    expect(config.socket).toBe(join(dir, "conf", "s.sock"));
  });
});

import { randomUUID } from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments, stringify } from "yaml";
import { loadConfig } from "../../src/config/load-config.ts";
import { decide } from "../../src/core/decide.ts";
import { httpStatusOf } from "../../src/core/reason.ts";
import { buildCheckRequest } from "../../src/adapters/grpc/build-check-request.ts";
import { createEngine } from "../../src/wiring/decision-engine.ts";
import { startKubeHarness, type KubeHarness } from "../harness/kube-harness.ts";
import { REPO, deployTool, run, systemTool } from "../chart/deploy-tools.ts";
import { kubeconform } from "../chart/kubeconform.ts";

// deploy/kind/quickstart.sh cannot run here (no Docker engine, so no kind and no Envoy). What is
// checked instead: bash -n and shellcheck; a run against stub docker/kind/kubectl/helm/curl that
// records every command; the manifests it applies, by kubeconform and by a server-side dry run
// against the real kube-apiserver with the CRDs; the AccessPolicies and API keys by modelgate's
// own loader; and each curl expectation against modelgate's decision for the same request.

const KIND = join(REPO, "deploy/kind");
const SCRIPT = join(KIND, "quickstart.sh");
const KEYS: Readonly<Record<string, string>> = {
  none: "",
  "data-scientist": readFileSync(join(REPO, "deploy/examples/try-key-data-scientist.txt"), "utf8").trim(),
  analyst: readFileSync(join(REPO, "deploy/examples/try-key-analyst.txt"), "utf8").trim(),
};

interface SmokeCase {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly key: string;
  readonly status: number;
  readonly times: number;
}

const CASES: readonly SmokeCase[] = readFileSync(join(KIND, "smoke-cases.tsv"), "utf8")
  .split("\n")
  .filter((line) => line !== "" && !line.startsWith("#"))
  .map((line) => {
    const [name = "", method = "", path = "", key = "", status = "", times = ""] = line.split("\t");
    return { name, method, path, key, status: Number(status), times: Number(times) };
  });
const REQUESTS = CASES.flatMap((c) => Array.from({ length: c.times }, () => c));

function manifests(file: string): Record<string, unknown>[] {
  return parseAllDocuments(readFileSync(join(KIND, file), "utf8"))
    .map((d) => d.toJS() as Record<string, unknown>)
    .filter((d) => d !== null);
}

describe("deploy/kind/quickstart.sh", () => {
  it("passes bash -n and shellcheck (with the other deploy scripts)", () => {
    for (const script of [SCRIPT, join(REPO, "test/harness/install-deploy-tools.sh"), join(REPO, "test/harness/image-check.sh")]) {
      const syntax = run(systemTool("bash"), ["-n", script]);
      expect(syntax.code, syntax.stderr).toBe(0);
      const lint = run(systemTool("shellcheck"), [script]);
      expect(lint.code, `${script}\n${lint.stdout}`).toBe(0);
    }
  });

  it("smoke-tests the cases of smoke-cases.tsv: an allowed prediction, 401, 403 and 429", () => {
    expect(CASES.map((c) => c.status)).toEqual(expect.arrayContaining([200, 401, 403, 429]));
    expect(CASES.at(-1)?.status).toBe(429);
  });
});

describe("quickstart.sh against recording stubs of docker, kind, kubectl, helm and curl", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "modelgate-kind-stubs-"));
    const recorder = `#!/usr/bin/env bash\nprintf '%s' "$(basename "$0")" >>"$STUB_LOG"; printf ' %q' "$@" >>"$STUB_LOG"; printf '\\n' >>"$STUB_LOG"\n`;
    const stubs: Record<string, string> = {
      docker: recorder,
      kind: recorder,
      helm: recorder,
      kubectl: `${recorder}[[ " $* " != *" -f - "* ]] || cat >/dev/null\ncase " $* " in *" --dry-run=server "*) printf 'modelgate modelgate-envoy' ;; *" --dry-run=client "*) printf 'kind: Namespace\\n' ;; esac\n`,
      // Answers with the next status of $STUB_STATUSES; a 429 comes with its rate-limit headers.
      curl:
        `${recorder}status=$(head -n1 "$STUB_STATUSES"); sed -i 1d "$STUB_STATUSES"\n` +
        `while (($#)); do [[ $1 == -D ]] && headers=$2; shift; done\n` +
        `if [[ $status == 429 ]]; then printf 'HTTP/1.1 429\\r\\nretry-after: 12\\r\\nratelimit-policy: "minute";q=5;w=60\\r\\nratelimit: "minute";r=0;t=12\\r\\n' >"$headers"; else : >"$headers"; fi\nprintf '%s' "$status"\n`,
    };
    for (const [name, text] of Object.entries(stubs)) {
      writeFileSync(join(dir, name), text);
      chmodSync(join(dir, name), 0o755);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function runScript(statuses: readonly number[], args: string[] = []): { code: number; output: string; log: string[] } {
    const log = join(dir, `log-${randomUUID()}`);
    const statusFile = join(dir, `statuses-${randomUUID()}`);
    writeFileSync(log, "");
    writeFileSync(statusFile, statuses.join("\n") + "\n");
    const result = run(systemTool("bash"), [SCRIPT, ...args], {
      env: { PATH: `${dir}:/usr/bin:/bin`, STUB_LOG: log, STUB_STATUSES: statusFile, HOME: dir },
    });
    return {
      code: result.code,
      output: result.stdout + result.stderr,
      log: readFileSync(log, "utf8")
        .split("\n")
        .filter((l) => l !== ""),
    };
  }

  it("creates the cluster from kind-config.yaml, builds and loads the image, installs the chart with the trial Redis, applies the samples, then curls each case", () => {
    const result = runScript([200, ...REQUESTS.map((r) => r.status)]);
    expect(result.code, result.output).toBe(0);
    const log = result.log;
    const index = (pattern: RegExp) => log.findIndex((l) => pattern.test(l));
    expect(index(/^kind create cluster --config .*\/kind-config\.yaml/)).toBeGreaterThanOrEqual(0);
    expect(index(/^docker build -f .*\/deploy\/image\/Dockerfile -t ghcr\.io\/modelgate\/modelgate:kind /)).toBeGreaterThan(
      index(/^kind create cluster/),
    );
    expect(
      index(/^kind load docker-image ghcr\.io\/modelgate\/modelgate:kind docker\.io\/envoyproxy\/envoy:v1\.36\.2 .* --name modelgate$/),
    ).toBeGreaterThan(index(/^docker build/));
    expect(index(/^kubectl label namespace models modelgate\.io\/injection=enabled/)).toBeGreaterThan(0);
    const helmLine = log[index(/^helm upgrade --install modelgate /)] ?? "";
    for (const flag of [
      "--set image.tag=kind",
      "--set trialRedis.enabled=true",
      "--set sidecar.namespaces=\\{models\\}",
      "--namespace modelgate-system",
      "--wait",
    ])
      expect(helmLine).toContain(flag);
    expect(index(/^kubectl apply -f .*\/deploy\/kind\/policies\.yaml -f .*\/deploy\/kind\/api-keys\.yaml/)).toBeGreaterThan(
      index(/^helm upgrade/),
    );
    expect(index(/^kubectl -n models create --dry-run=server/)).toBeGreaterThan(0);
    const curls = log.filter((l) => l.startsWith("curl "));
    expect(curls).toHaveLength(REQUESTS.length + 1);
    REQUESTS.forEach((request, i) => {
      const line = curls[i + 1] ?? "";
      expect(line, request.name).toContain(`-X ${request.method}`);
      expect(line, request.name).toMatch(new RegExp(`http://127\\.0\\.0\\.1:8443${request.path.replaceAll("/", "\\/")}$`));
      if (request.key === "none") expect(line).not.toContain("x-api-key");
      else expect(line).toContain(`x-api-key:\\ ${KEYS[request.key]}`);
    });
    expect(result.output).toContain("all smoke checks passed");
  });

  it("fails when a status differs from the expectation", () => {
    const statuses = [200, ...REQUESTS.map((r) => r.status)];
    statuses[2] = 200; // the 401 case answered 200: a gate that lets a keyless request through
    const result = runScript(statuses);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/FAIL 200, want 401: no key/);
  });

  it("deletes the cluster on --delete and nothing else", () => {
    const result = runScript([], ["--delete"]);
    expect(result.code, result.output).toBe(0);
    expect(result.log).toEqual(["kind delete cluster --name modelgate"]);
  });
});

describe("what the quick start applies", () => {
  let harness: KubeHarness;
  beforeAll(async () => {
    harness = await startKubeHarness();
    const kubectl = deployTool("kubectl");
    const setup = run(kubectl, ["--kubeconfig", harness.kubeconfigFile, "apply", "--server-side", "-f", join(REPO, "deploy/crds/")]);
    expect(setup.code, setup.stderr).toBe(0);
    const ns = run(kubectl, ["--kubeconfig", harness.kubeconfigFile, "create", "namespace", "models"]);
    expect(ns.code, ns.stderr).toBe(0);
    const established = run(kubectl, [
      "--kubeconfig",
      harness.kubeconfigFile,
      "wait",
      "--for=condition=Established",
      "--timeout=60s",
      "crd/accesspolicies.modelgate.io",
      "crd/apikeys.modelgate.io",
    ]);
    expect(established.code, established.stderr).toBe(0);
  }, 120_000);
  afterAll(async () => harness?.stop());

  it("is accepted by the real API server with strict field validation (server-side dry run)", () => {
    for (const file of ["sample-model.yaml", "policies.yaml", "api-keys.yaml"]) {
      const result = run(deployTool("kubectl"), [
        "--kubeconfig",
        harness.kubeconfigFile,
        "apply",
        "--dry-run=server",
        "--validate=strict",
        "-f",
        join(KIND, file),
      ]);
      expect(result.code, `${file}: ${result.stderr}`).toBe(0);
    }
  });

  it("passes kubeconform -strict against the Kubernetes schemas", () => {
    const result = kubeconform(readFileSync(join(KIND, "sample-model.yaml"), "utf8"));
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/Valid: 3, Invalid: 0, Errors: 0/);
  });

  it("serves the model through Envoy's named port on the NodePort kind-config.yaml maps", () => {
    const service = manifests("sample-model.yaml").find((d) => d["kind"] === "Service") as {
      spec: { ports: { targetPort: string; nodePort: number }[] };
    };
    expect(service.spec.ports[0]?.targetPort).toBe("modelgate-http");
    expect(readFileSync(join(REPO, "kind-config.yaml"), "utf8")).toContain(`containerPort: ${service.spec.ports[0]?.nodePort}`);
  });

  it("holds the embedded example's policies, moved to the models namespace", () => {
    const example = readFileSync(join(REPO, "deploy/examples/policies.yaml"), "utf8");
    const strip = (text: string) =>
      text
        .split("\n")
        .filter((l) => !l.startsWith("#"))
        .join("\n");
    expect(strip(readFileSync(join(KIND, "policies.yaml"), "utf8"))).toBe(
      strip(example).replaceAll("namespace: default", "namespace: models"),
    );
  });
});

describe("the smoke test's expectations are modelgate's own decisions", () => {
  let dir: string;
  let configFile: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "modelgate-kind-check-"));
    const records = manifests("api-keys.yaml").map((d) => d["spec"]);
    writeFileSync(join(dir, "keys.yaml"), stringify({ keys: records }));
    configFile = join(dir, "modelgate.yaml");
    writeFileSync(
      configFile,
      stringify({
        namespace: "models",
        protocol: "open-inference-v2",
        model: "fraud-detector",
        policies: { files: [join(KIND, "policies.yaml")] },
        apiKeys: { files: ["keys.yaml"] },
        identity: { sources: ["apikey"] },
      }),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("loads the quick start's AccessPolicies and API keys with modelgate's validator, every one", async () => {
    const config = loadConfig(configFile, {}, dir);
    if (!config.ok) throw new Error(JSON.stringify(config.error));
    const rejected: unknown[] = [];
    const loaded: Record<string, number> = {};
    const engine = createEngine(
      config.value,
      { loaded: (kind, summary) => void (loaded[kind] = summary.count), rejected: (_kind, issues) => void rejected.push(...issues) },
      { now: Date.now, newId: randomUUID },
    );
    expect(engine.loadAll()).toBe(true);
    expect(rejected).toEqual([]);
    expect(loaded).toMatchObject({ policies: manifests("policies.yaml").length, apikeys: manifests("api-keys.yaml").length });
  });

  it("decides every curl of smoke-cases.tsv, in order with one limiter, as the script expects", async () => {
    const config = loadConfig(configFile, {}, dir);
    if (!config.ok) throw new Error(JSON.stringify(config.error));
    const engine = createEngine(config.value, { loaded: () => {}, rejected: () => {} }, { now: Date.now, newId: randomUUID });
    expect(engine.loadAll()).toBe(true);
    await engine.start({ watchFiles: false });
    try {
      for (const request of REQUESTS) {
        const headers: Record<string, string> = KEYS[request.key] === "" ? {} : { "x-api-key": KEYS[request.key] ?? "" };
        const decision = await decide(
          buildCheckRequest({ method: request.method, path: request.path, headers, host: "127.0.0.1:8443" }),
          engine.ports,
        );
        expect(decision.allowed ? 200 : httpStatusOf(decision.reason), request.name).toBe(request.status);
      }
    } finally {
      await engine.close();
    }
  });

  it.each(CASES.filter((c) => c.status !== 429))("modelgate check agrees on: $name", (smoke) => {
    const args = ["src/cli/modelgate.ts", "check", "-c", configFile, "-X", smoke.method, "--path", smoke.path];
    if (KEYS[smoke.key] !== "") args.push("--api-key", KEYS[smoke.key] ?? "");
    const result = run(process.execPath, args);
    expect(result.code, result.stderr).toBe(smoke.status === 200 ? 0 : 1);
    const status = /HTTP (\d{3})/.exec(result.stdout)?.[1];
    expect(status ?? "200", result.stdout).toBe(String(smoke.status));
  });
});

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CHECK_USAGE, runCheck } from "../../src/cli/check-command.ts";

const REPO = resolve(import.meta.dirname, "../..");
const CONFIG = "deploy/examples/modelgate.yaml";
const DS_KEY = readFileSync(join(REPO, "deploy/examples/try-key-data-scientist.txt"), "utf8").trim();
const ANALYST_KEY = readFileSync(join(REPO, "deploy/examples/try-key-analyst.txt"), "utf8").trim();
const INFER = "/v2/models/fraud-detector/infer";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function check(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await runCheck(args, {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    env: options.env ?? {},
    cwd: options.cwd ?? REPO,
  });
  return { code, stdout, stderr };
}

function json(run: Run): Record<string, unknown> {
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

const scratch = mkdtempSync(join(tmpdir(), "modelgate-check-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function writeTemp(name: string, content: string): string {
  const file = join(scratch, name);
  writeFileSync(file, content);
  return file;
}

describe("modelgate check: decisions (exit 0 allowed, 1 denied)", () => {
  it("allows the data scientist to predict, with RateLimit headers", async () => {
    const run = await check(["-c", CONFIG, "-X", "POST", "--path", INFER, "--api-key", DS_KEY]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/^decision: {4}ALLOW \(gRPC status 0\)$/m);
    expect(run.stdout).toMatch(/^reason: {6}allowed$/m);
    expect(run.stdout).toContain("subject=dana@example.com");
    expect(run.stdout).toContain("policy:      default/fraud-detector generation 0 rule data-science-predict");
    expect(run.stdout).toContain("limits:      minute 4/5 per 60s [local limiter]");
    expect(run.stdout).toContain('header:      ratelimit-policy: "minute";q=5;w=60');
    expect(run.stdout).toContain('header:      ratelimit: "minute";r=4;t=12');
    expect(run.stdout).not.toContain(DS_KEY);
  });

  it("allows the analyst to read model metadata", async () => {
    const run = await check(["-c", CONFIG, "-X", "GET", "--path", "/v2/models/fraud-detector", "--api-key", ANALYST_KEY]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("action=read");
    expect(run.stdout).toContain("rule analytics-read");
  });

  it("the key may come as a header instead of --api-key", async () => {
    const run = await check(["-c", CONFIG, "-X", "POST", "--path", INFER, "-H", `X-Api-Key: ${DS_KEY}`]);
    expect(run.code).toBe(0);
    const bearer = await check(["-c", CONFIG, "-X", "POST", "--path", INFER, "--header", `authorization: Bearer ${DS_KEY}`]);
    expect(bearer.code).toBe(0);
  });

  it.each<[string, string[], string, string]>([
    ["no credential", [], "credential_missing", "DENY (HTTP 401, gRPC status 16)"],
    ["a malformed key", ["--api-key", "mgk_x"], "api_key_malformed", "DENY (HTTP 401, gRPC status 16)"],
    ["the analyst predicting", ["--api-key", ANALYST_KEY], "policy_no_match", "DENY (HTTP 403, gRPC status 7)"],
  ])("denies %s", async (_name, extra, reason, status) => {
    const run = await check(["-c", CONFIG, "-X", "POST", "--path", INFER, ...extra]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`decision:    ${status}`);
    expect(run.stdout).toMatch(new RegExp(`^reason: {6}${reason}: `, "m"));
    expect(run.stdout).toContain("header:      content-type: application/problem+json");
  });

  it("a 401 explains the challenge it would send", async () => {
    const run = await check(["-c", CONFIG, "-X", "POST", "--path", INFER]);
    expect(run.stdout).toMatch(/^header: {6}www-authenticate: ApiKey realm="modelgate"/m);
  });

  it("the method defaults to GET", async () => {
    const run = await check(["-c", CONFIG, "--path", "/v2/models/fraud-detector", "--api-key", ANALYST_KEY, "--json"]);
    expect(run.code).toBe(0);
    expect(json(run)["target"]).toMatchObject({ action: "read" });
  });

  it("reads the config from MODELGATE_CONFIG when -c is absent", async () => {
    const run = await check(["-X", "POST", "--path", INFER, "--api-key", DS_KEY], { env: { MODELGATE_CONFIG: CONFIG } });
    expect(run.code).toBe(0);
  });

  it("honours environment overrides (MODELGATE_NAMESPACE hides the example's policies)", async () => {
    const run = await check(["-c", CONFIG, "-X", "POST", "--path", INFER, "--api-key", DS_KEY, "--json"], {
      env: { MODELGATE_NAMESPACE: "elsewhere" },
    });
    expect(run.code).toBe(1);
    expect(json(run)["reason"]).toBe("policy_no_match");
  });
});

describe("modelgate check --json", () => {
  it("prints the allowed decision as JSON", async () => {
    const run = await check(["-c", CONFIG, "-X", "POST", "--path", INFER, "--api-key", DS_KEY, "--json"]);
    expect(run.code).toBe(0);
    const decision = json(run);
    expect(decision["allowed"]).toBe(true);
    expect(decision["reason"]).toBe("allowed");
    expect(decision["identity"]).toMatchObject({ method: "apikey", subject: "dana@example.com" });
    expect(decision["rateLimit"]).toMatchObject({ mode: "local", violated: [], states: [{ name: "minute", quota: 5, remaining: 4 }] });
    expect(run.stdout).not.toContain(DS_KEY);
  });

  it("prints a denied decision as JSON", async () => {
    const run = await check(["-c", CONFIG, "-X", "POST", "--path", INFER, "--api-key", ANALYST_KEY, "--json"]);
    expect(run.code).toBe(1);
    const decision = json(run);
    expect(decision["allowed"]).toBe(false);
    expect(decision["reason"]).toBe("policy_no_match");
    expect(typeof decision["detail"]).toBe("string");
  });
});

describe("modelgate check --request FILE", () => {
  const camel = {
    attributes: {
      source: { address: { socketAddress: { address: "10.0.0.7", portValue: 51234 } } },
      request: {
        http: {
          method: "POST",
          path: INFER,
          host: "models.local",
          headers: { ":method": "POST", ":path": INFER, ":authority": "models.local", "x-request-id": "r-1", "x-api-key": DS_KEY },
        },
      },
      contextExtensions: { routeName: "infer" },
    },
  };

  it("decides a proto3 JSON (camelCase) CheckRequest", async () => {
    const file = writeTemp("camel.json", JSON.stringify(camel));
    const run = await check(["-c", CONFIG, "--request", file, "--json"]);
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({ allowed: true, reason: "allowed", requestId: "r-1" });
  });

  it("decides a snake_case CheckRequest, given relative to the working directory", async () => {
    const snake = JSON.parse(
      JSON.stringify(camel)
        .replace('"socketAddress"', '"socket_address"')
        .replace('"portValue"', '"port_value"')
        .replace('"contextExtensions"', '"context_extensions"'),
    ) as unknown;
    writeTemp("snake.json", JSON.stringify(snake));
    const run = await check(["-c", join(REPO, CONFIG), "--request", "snake.json", "--json"], { cwd: scratch });
    expect(run.code).toBe(0);
    expect(json(run)["allowed"]).toBe(true);
  });

  it("a denied CheckRequest exits 1", async () => {
    const noKey = structuredClone(camel);
    delete (noKey.attributes.request.http.headers as Record<string, string>)["x-api-key"];
    const file = writeTemp("no-key.json", JSON.stringify(noKey));
    const run = await check(["-c", CONFIG, "--request", file, "--json"]);
    expect(run.code).toBe(1);
    expect(json(run)["reason"]).toBe("credential_missing");
  });

  it("a file name with '#', '?' or '%' is a plain path, not a URL", async () => {
    const dir = join(scratch, "100% #weird?dir");
    mkdirSync(dir);
    writeFileSync(join(dir, "req #1.json"), JSON.stringify(camel));
    const run = await check(["-c", join(REPO, CONFIG), "--request", "req #1.json"], { cwd: dir });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  });

  it.each<[string, string, RegExp]>([
    ["not JSON", "attributes: {}", /not valid JSON/],
    [
      "a body that is not base64",
      JSON.stringify({ attributes: { request: { http: { rawBody: "{not base64}" } } } }),
      /rawBody must be base64/,
    ],
  ])("a request file that is %s is a usage error (exit 2)", async (_name, content, message) => {
    const file = writeTemp(`bad-${_name.replaceAll(" ", "-")}.json`, content);
    const run = await check(["-c", CONFIG, "--request", file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe("");
  });

  it("a missing request file is a usage error (exit 2)", async () => {
    const run = await check(["-c", CONFIG, "--request", join(scratch, "absent.json")]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/ENOENT/);
  });
});

describe("modelgate check: usage and configuration errors (exit 2)", () => {
  it.each<[string, string[], RegExp]>([
    ["no --path and no --request", ["-c", CONFIG, "-X", "POST"], /give --path \(and --method\) or --request FILE/],
    [
      "a header without a colon",
      ["-c", CONFIG, "--path", INFER, "--header", "x-api-key"],
      /--header "x-api-key" must look like "name: value"/,
    ],
    ["a header with an empty name", ["-c", CONFIG, "--path", INFER, "-H", ": value"], /must look like "name: value"/],
    ["an unknown flag", ["-c", CONFIG, "--path", INFER, "--bogus"], /modelgate check: .*--bogus/],
    ["a stray positional argument", ["-c", CONFIG, "--path", INFER, "extra"], /modelgate check: .*extra/],
    [
      "a missing config file",
      ["-c", "does/not/exist.yaml", "--path", INFER],
      /invalid configuration\n {2}.*does\/not\/exist\.yaml: cannot read the configuration file/,
    ],
    [
      "an invalid config file",
      ["-c", "test/config/fixtures/invalid/protocol-unknown.yaml", "--path", INFER],
      /invalid configuration\n.*protocol-unknown\.yaml: protocol: must be one of/,
    ],
    ["a missing --body-file", ["-c", CONFIG, "--path", INFER, "--body-file", "/nonexistent/body.json"], /ENOENT/],
  ])("%s", async (_name, args, message) => {
    const run = await check(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe("");
  });

  it("an invalid environment override is a configuration error naming the variable", async () => {
    const run = await check(["-c", CONFIG, "--path", INFER], { env: { MODELGATE_PROTOCOL: "grpc" } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/\$MODELGATE_PROTOCOL: must be one of/);
  });

  it("policies that fail to load are a configuration error", async () => {
    writeTemp(
      "broken-policies.yaml",
      "apiVersion: modelgate.io/v1alpha1\nkind: AccessPolicy\nmetadata: { name: x }\nspec: { models: [m], rules: [{ name: r, effect: Perhaps }] }\n",
    );
    const config = writeTemp("broken.yaml", "policies:\n  files: [broken-policies.yaml]\n");
    const run = await check(["-c", config, "--path", INFER]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/policies or keys could not be loaded\n {2}\S/);
  });

  it("an unknown flag prints the usage", async () => {
    const run = await check(["--nope"]);
    expect(run.stderr).toContain(CHECK_USAGE);
  });

  it("--help prints the usage on stdout and exits 0", async () => {
    const run = await check(["--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(CHECK_USAGE);
    expect(run.stderr).toBe("");
  });
});

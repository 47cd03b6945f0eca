import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { buildCheckRequest } from "../../src/adapters/grpc/build-check-request.ts";
import { runCheck } from "../../src/cli/check-command.ts";
import { connectAuthz, type AuthzClient, type CheckResponse } from "./helpers/authz-client.ts";
import { startFixtureServer, type FixtureServer } from "./helpers/fixture-server.ts";
import { FIXTURE_KEYS, FRAUD_POLICY } from "./fixtures.ts";

// Issue 11 item 13: `modelgate check` and the real server must decide the same inputs alike.
// Envoy gives ext_authz one value per header name, repeated headers joined with "," in order
// (envoy-extauthz reference §1.1); the server gets that CheckRequest, `check` gets the same
// headers as repeated --header flags.

let fixture: FixtureServer;
let client: AuthzClient;
let checkConfig = "";

beforeAll(async () => {
  fixture = await startFixtureServer({ policyYaml: FRAUD_POLICY, keys: FIXTURE_KEYS });
  client = connectAuthz(fixture.tcpTarget);
  checkConfig = join(fixture.dir, "check.yaml");
  const config = {
    model: "fraud-detector",
    protocol: "open-inference-v2",
    namespace: "default",
    policies: { files: ["policies.yaml"] },
    apiKeys: { files: ["keys.yaml"] },
  };
  writeFileSync(checkConfig, stringify(config));
});

afterAll(async () => {
  client?.close();
  await fixture?.stop();
});

// What Envoy puts in CheckRequest.attributes.request.http.headers for these header lines.
function asEnvoyMerges(lines: readonly (readonly [string, string])[]): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const [name, value] of lines) {
    const key = name.toLowerCase();
    merged[key] = merged[key] === undefined ? value : `${merged[key]},${value}`;
  }
  return merged;
}

function serverReason(response: CheckResponse): string {
  if (response.status?.code === 0) return "allowed";
  return (JSON.parse(response.denied_response?.body ?? "{}") as { reason?: string }).reason ?? "";
}

async function checkReason(lines: readonly (readonly [string, string])[]): Promise<string> {
  let out = "";
  const args = [
    "-c",
    checkConfig,
    "-X",
    "POST",
    "--path",
    "/v2/models/fraud-detector/infer",
    "--json",
    ...lines.flatMap(([n, v]) => ["--header", `${n}: ${v}`]),
  ];
  await runCheck(args, { stdout: (s) => void (out += s), stderr: (s) => void (out += s), env: {}, cwd: fixture.dir });
  return (JSON.parse(out) as { reason: string }).reason;
}

const key = (name: keyof typeof FIXTURE_KEYS) => fixture.keys[name] as string;

describe("check and the server agree on repeated headers", () => {
  it.each<[string, () => (readonly [string, string])[], string]>([
    ["one key", () => [["x-api-key", key("bulk")]], "allowed"],
    [
      "the same key twice",
      () => [
        ["x-api-key", key("bulk")],
        ["X-Api-Key", key("bulk")],
      ],
      "api_key_malformed",
    ],
    [
      "two different keys",
      () => [
        ["x-api-key", key("bulk")],
        ["x-api-key", key("analyst")],
      ],
      "api_key_malformed",
    ],
    [
      "a key twice in authorization",
      () => [
        ["authorization", `Bearer ${key("bulk")}`],
        ["authorization", `Bearer ${key("bulk")}`],
      ],
      "api_key_malformed",
    ],
    [
      "a routing header naming two models",
      () => [
        ["x-api-key", key("bulk")],
        ["seldon-model", "fraud-detector"],
        ["seldon-model", "payroll"],
      ],
      "model_ambiguous",
    ],
    [
      "an unrelated header repeated",
      () => [
        ["x-api-key", key("bulk")],
        ["x-trace", "a"],
        ["x-trace", "b"],
      ],
      "allowed",
    ],
  ])("%s", async (_name, lines, expected) => {
    const headerLines = lines();
    const fromServer = serverReason(
      await client.check(
        buildCheckRequest({ method: "POST", path: "/v2/models/fraud-detector/infer", headers: asEnvoyMerges(headerLines) }),
      ),
    );
    const fromCheck = await checkReason(headerLines);
    expect({ fromCheck, fromServer }).toEqual({ fromCheck: expected, fromServer: expected });
  });
});

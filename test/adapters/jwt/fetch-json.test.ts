import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchJson } from "../../../src/adapters/jwt/fetch-json.ts";
import {
  startCanaryServer,
  startOidcServer,
  type CanaryServer,
  type OidcServer,
  type ServeMode,
} from "../../integration/helpers/oidc-server.ts";

let idp: OidcServer;
let canary: CanaryServer;
let bulky: Server;
let bulkyUrl = "";

beforeAll(async () => {
  canary = await startCanaryServer();
  idp = await startOidcServer({ redirectTo: `${canary.url}/stolen` });
  await idp.addKey("ES256");
  // Streams a body bigger than the cap without declaring its length.
  bulky = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.write(`{"pad":"${"x".repeat(64 * 1024)}`);
    res.end(`${"y".repeat(64 * 1024)}"}`);
  });
  await new Promise<void>((resolve) => bulky.listen(0, "127.0.0.1", resolve));
  bulkyUrl = `http://127.0.0.1:${(bulky.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  bulky.closeAllConnections();
  await new Promise((resolve) => bulky.close(resolve));
  await idp.close();
  await canary.close();
});

const options = { timeoutMs: 300, maxBytes: 32 * 1024 };

describe("fetching a JSON document", () => {
  it("returns the parsed document", async () => {
    idp.setJwksMode("ok");
    const fetched = await fetchJson(idp.jwksUri, options);
    expect(fetched.ok && (fetched.value as { keys: unknown[] }).keys).toHaveLength(1);
  });

  it.each([
    ["error-500", "HTTP 500"],
    ["error-503", "HTTP 503"],
    ["invalid-json", "not valid JSON"],
    ["hang", "timed out after 300 ms"],
    ["redirect", "redirect, which is never followed"],
  ] as [ServeMode, string][])("fails on %s: %s", async (mode, message) => {
    idp.setJwksMode(mode);
    const started = performance.now();
    const fetched = await fetchJson(idp.jwksUri, options);
    expect(fetched).toEqual({ ok: false, error: expect.stringContaining(message) });
    expect(performance.now() - started).toBeLessThan(5000);
    idp.setJwksMode("ok");
  });

  it("never follows a redirect: the redirect target sees no request", () => {
    expect(canary.requests).toEqual([]);
  });

  it("refuses a body beyond the size cap, declared or streamed", async () => {
    expect(await fetchJson(bulkyUrl, options)).toEqual({ ok: false, error: "the response is larger than 32768 bytes" });
    expect((await fetchJson(bulkyUrl, { ...options, maxBytes: 1024 * 1024 })).ok).toBe(true);
  });

  it("fails cleanly when nothing listens", async () => {
    const fetched = await fetchJson("http://127.0.0.1:9/jwks", options);
    expect(fetched.ok).toBe(false);
  });
});

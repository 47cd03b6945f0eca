import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from "jose";

// A real OpenID provider for tests, on 127.0.0.1 and a free port: OIDC discovery, a JWKS whose
// keys the test adds, rotates and withdraws, and failure modes for outage tests. Every request
// is counted per route, so tests can assert how often modelgate went to the IdP.

export type ServeMode = "ok" | "error-500" | "error-503" | "hang" | "invalid-json" | "redirect" | "wrong-issuer";

export interface TestKey {
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

export interface SignOptions {
  readonly kid?: string | undefined; // default: the key's kid; undefined in `header` removes it
  readonly header?: Readonly<Record<string, unknown>>;
}

export interface OidcServer {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly requests: { discovery: number; jwks: number; other: number };
  addKey(alg: string, kid?: string): Promise<TestKey>;
  withdrawKey(kid: string): void;
  setJwksMode(mode: ServeMode): void;
  setDiscoveryMode(mode: ServeMode): void;
  sign(claims: JWTPayload, key: TestKey, options?: SignOptions): Promise<string>;
  claims(nowMs: number, overrides?: JWTPayload): JWTPayload;
  close(): Promise<void>;
}

export interface OidcServerOptions {
  readonly audience?: string; // default "modelgate"
  readonly redirectTo?: string; // where "redirect" mode points (a canary server)
}

export async function startOidcServer(options: OidcServerOptions = {}): Promise<OidcServer> {
  const state = { jwksMode: "ok" as ServeMode, discoveryMode: "ok" as ServeMode, keys: new Map<string, TestKey>() };
  const requests = { discovery: 0, jwks: 0, other: 0 };
  let base = "";
  const server = await listen((req, res) => {
    if (req.url === "/.well-known/openid-configuration") {
      requests.discovery++;
      return answer(
        res,
        state.discoveryMode,
        { issuer: state.discoveryMode === "wrong-issuer" ? `${base}/other` : base, jwks_uri: `${base}/jwks` },
        options,
      );
    }
    if (req.url === "/jwks") {
      requests.jwks++;
      return answer(res, state.jwksMode, { keys: [...state.keys.values()].map((k) => k.publicJwk) }, options);
    }
    requests.other++;
    res.writeHead(404).end();
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let counter = 0;
  return {
    issuer: base,
    jwksUri: `${base}/jwks`,
    requests,
    async addKey(alg, kid) {
      const pair = await generateKeyPair(alg, { extractable: true });
      const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: kid ?? `key-${++counter}`, alg, use: "sig" };
      const key = { kid: publicJwk.kid, alg, privateKey: pair.privateKey, publicJwk };
      state.keys.set(key.kid, key);
      return key;
    },
    withdrawKey: (kid) => void state.keys.delete(kid),
    setJwksMode: (mode) => void (state.jwksMode = mode),
    setDiscoveryMode: (mode) => void (state.discoveryMode = mode),
    sign: (claims, key, signOptions = {}) => {
      const header = { alg: key.alg, kid: signOptions.kid ?? key.kid, ...signOptions.header };
      return new SignJWT(claims).setProtectedHeader(header).sign(key.privateKey);
    },
    claims: (nowMs, overrides = {}) => {
      const now = Math.floor(nowMs / 1000);
      return { iss: base, aud: options.audience ?? "modelgate", sub: "alice@example.com", iat: now, exp: now + 3600, ...overrides };
    },
    close: () => closeServer(server),
  };
}

function answer(res: ServerResponse, mode: ServeMode, body: unknown, options: OidcServerOptions): void {
  if (mode === "hang") return; // never answers; closeAllConnections ends it
  if (mode === "error-500" || mode === "error-503") return void res.writeHead(mode === "error-500" ? 500 : 503).end("down");
  if (mode === "redirect") return void res.writeHead(302, { location: options.redirectTo ?? "http://127.0.0.1:9/" }).end();
  const text = mode === "invalid-json" ? '{"keys": [' : JSON.stringify(body);
  res.writeHead(200, { "content-type": "application/json" }).end(text);
}

// A server that must never be called: tokens pointing jku/x5u at it, or redirects to it.
export interface CanaryServer {
  readonly url: string;
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startCanaryServer(): Promise<CanaryServer> {
  const requests: string[] = [];
  const server = await listen((req, res) => {
    requests.push(req.url ?? "");
    res.writeHead(200, { "content-type": "application/json" }).end('{"keys":[]}');
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, close: () => closeServer(server) };
}

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
  const server = createServer(handler);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

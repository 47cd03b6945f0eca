import { readFile, stat } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import type { IssuerConfig } from "../../core/identity/jwt/jwt-config.ts";
import { err, ok, type Result } from "../../core/result.ts";
import { DEFAULT_MAX_DOCUMENT_BYTES, fetchJson } from "./fetch-json.ts";
import { discoverJwksUri } from "./oidc-discovery.ts";

// How one issuer's JWKS document is obtained, one function per key source. A load is one JWKS
// read; discovery adds a metadata request only until it has succeeded once, and again after a
// JWKS fetch fails (the provider may have moved its keys).

export type LoadJwks = () => Promise<Result<unknown, string>>;

export interface LoaderOptions {
  readonly baseDir: string; // relative jwksFile paths are resolved against it (the config file's directory)
  readonly fetch?: typeof fetch;
  readonly maxBytes?: number;
}

export function jwksLoader(issuer: IssuerConfig, options: LoaderOptions): LoadJwks {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_DOCUMENT_BYTES;
  const get = (url: string) =>
    fetchJson(url, {
      timeoutMs: issuer.keys.timeoutSeconds * 1000,
      maxBytes,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
  const source = issuer.keySource;
  switch (source.kind) {
    case "jwksUri":
      return () => get(source.uri);
    case "jwksFile": {
      const path = isAbsolute(source.path) ? source.path : resolve(options.baseDir, source.path);
      return () => readJsonFile(path, maxBytes);
    }
    case "discovery":
      return discoveringLoader(issuer, get);
  }
}

function discoveringLoader(issuer: IssuerConfig, get: (url: string) => Promise<Result<unknown, string>>): LoadJwks {
  let jwksUri: string | undefined;
  return async () => {
    if (jwksUri === undefined) {
      const discovered = await discoverJwksUri(issuer.issuer, get, issuer.allowInsecureHttp);
      if (!discovered.ok) return discovered;
      jwksUri = discovered.value;
    }
    const loaded = await get(jwksUri);
    if (!loaded.ok) jwksUri = undefined;
    return loaded;
  };
}

async function readJsonFile(path: string, maxBytes: number): Promise<Result<unknown, string>> {
  try {
    const info = await stat(path);
    if (info.size > maxBytes) return err(`${path} is larger than ${maxBytes} bytes`);
    return ok(JSON.parse(await readFile(path, "utf8")) as unknown);
  } catch (error) {
    return err(`${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

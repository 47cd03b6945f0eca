import type { SourceOutcome } from "./identity.ts";
import type { NormalizedRequest } from "../request/normalized-request.ts";
import { looksLikeApiKey } from "./api-key-format.ts";
import { verifyApiKey } from "./key-store.ts";
import type { KeyIndex } from "./key-store.ts";
import { ABSENT, bearerToken, trimOws } from "./sources.ts";
import type { IdentitySource } from "./sources.ts";

export interface ApiKeySourceOptions {
  readonly name?: string; // default "apikey"
  readonly header?: string; // lower-case header name, default "x-api-key"
  // The current index; called per request so a reloaded key file takes effect without rewiring.
  readonly keys: () => KeyIndex;
}

export const API_KEY_SCHEME = "ApiKey";
const BEARER_SCHEME = "Bearer";

// Reads the key from `x-api-key` or from `Authorization: Bearer mgk_…`. A Bearer token without
// the mgk_ prefix is left for a JWT source. Both headers may carry the same key (some clients
// send both); different keys are a conflict rather than a choice, so no header silently wins.
export function apiKeySource(options: ApiKeySourceOptions): IdentitySource {
  const header = options.header ?? "x-api-key";
  return Object.freeze({
    name: options.name ?? "apikey",
    scheme: API_KEY_SCHEME,
    credentialHeaders: Object.freeze([header, "authorization"]),
    identify: (req: NormalizedRequest, now: number): SourceOutcome => identifyByKey(req, now, header, options.keys),
  });
}

function identifyByKey(req: NormalizedRequest, now: number, header: string, keys: () => KeyIndex): SourceOutcome {
  const raw = req.headers.get(header);
  const fromHeader = raw === undefined ? undefined : trimOws(raw);
  const token = bearerToken(req.headers);
  const fromBearer = token !== undefined && looksLikeApiKey(token) ? token : undefined;
  if (fromHeader === undefined && fromBearer === undefined) return ABSENT;
  if (fromHeader === "") {
    return rejected("api_key_malformed", `the ${header} header is empty`);
  }
  if (fromHeader !== undefined && fromBearer !== undefined && fromHeader !== fromBearer) {
    return rejected("credential_conflict", `the ${header} and authorization headers carry different API keys`);
  }
  const scheme = fromHeader === undefined ? BEARER_SCHEME : API_KEY_SCHEME;
  return verifyApiKey(keys(), fromHeader ?? fromBearer ?? "", now, scheme);
}

function rejected(reason: "api_key_malformed" | "credential_conflict", detail: string): SourceOutcome {
  return { kind: "rejected", reason, scheme: API_KEY_SCHEME, detail };
}

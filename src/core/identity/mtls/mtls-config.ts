import { DEFAULT_CERTIFICATE_CACHE_SIZE } from "./certificate-cache.ts";
import type { BuiltInAttribute } from "./peer-identity.ts";
import { DEFAULT_XFCC_MAX_BYTES } from "./xfcc-parse.ts";
import type { XfccTrust } from "./xfcc-trust.ts";

// `identity.mtls` in the configuration file:
//
//   mtls:
//     caFile: ca-bundle.pem          # optional; verify certificates against these CAs
//     trustDomains: [cluster.local]  # optional; SPIFFE trust domains accepted (then required)
//     attributes: { team: subject_ou } # optional; extra attribute ← built-in attribute
//     xfcc:
//       mode: ignore                 # ignore | sanitize-set | append
//       trustedHops: 1               # append only: use the element this far from the end
//       maxBytes: 32768              # longer headers are malformed
//     cacheSize: 1024                # parsed certificates kept (LRU)
//
// Parsed by config/parse-mtls.ts; caFile is returned as written, and config/parse-identity.ts
// resolves it against the configuration file's directory.

export interface MtlsConfig {
  readonly caFile: string | undefined;
  readonly trustDomains: readonly string[];
  readonly attributes: Readonly<Record<string, BuiltInAttribute>>;
  readonly xfcc: XfccTrust;
  readonly cacheSize: number;
}

export const DEFAULT_MTLS_CONFIG: MtlsConfig = Object.freeze({
  caFile: undefined,
  trustDomains: Object.freeze([]),
  attributes: Object.freeze({}),
  xfcc: Object.freeze({ mode: "ignore", trustedHops: 1, maxBytes: DEFAULT_XFCC_MAX_BYTES }),
  cacheSize: DEFAULT_CERTIFICATE_CACHE_SIZE,
});

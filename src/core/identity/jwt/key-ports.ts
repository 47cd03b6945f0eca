// What the JWT verifier needs from the outside world, as ports: the adapters implement them with
// a JWKS cache and jose; tests can implement them with plain values. `K` is the adapter's key
// type (a WebCrypto CryptoKey in production), opaque to the core.

export type KeyLookup<K> =
  | { readonly kind: "found"; readonly keys: readonly K[] } // candidates for (kid, alg), best first
  | { readonly kind: "unknown"; readonly detail: string } // the issuer publishes no such key
  | { readonly kind: "unavailable"; readonly detail: string }; // no usable key set (never loaded, or too stale)

export interface IssuerKeys<K> {
  // Changes whenever the served key set changes, so verified tokens cached under an older set
  // (whose key may have been withdrawn) are verified again.
  readonly version: number;
  lookup(kid: string | undefined, alg: string): KeyLookup<K> | Promise<KeyLookup<K>>;
}

export type SignatureCheck = { readonly ok: true } | { readonly ok: false; readonly code: string | undefined; readonly message: string };

// Verifies the JWS signature of a compact token with one key and one algorithm; claims are not
// looked at. Must not throw.
export type SignatureVerifier<K> = (token: string, key: K, alg: string) => Promise<SignatureCheck>;

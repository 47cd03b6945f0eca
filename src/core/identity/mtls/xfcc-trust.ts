import { parseXfcc } from "./xfcc-parse.ts";
import type { XfccElement } from "./xfcc-parse.ts";

// Which x-forwarded-client-cert element, if any, is evidence about the caller. The header is
// client-writable unless a proxy we trust rewrote it (security.md X1), so the configuration must
// say how that proxy treats it:
// - ignore (default): never read; the connection (source.certificate / principal) is the truth.
// - sanitize-set: our own Envoy runs forward_client_cert_details: SANITIZE_SET, so the header holds
//   exactly one element, written by it. More than one means the assumption is wrong: malformed.
// - append: proxies run APPEND_FORWARD and each appends its element at the end. Elements before
//   the trusted proxy's are whatever earlier hops (or the client) wrote, so only the element
//   `trustedHops` from the end is used — never simply the first.

export type XfccMode = "ignore" | "sanitize-set" | "append";

export interface XfccTrust {
  readonly mode: XfccMode;
  readonly trustedHops: number; // append: 1 = the last element (the proxy next to us)
  readonly maxBytes: number;
}

export type XfccSelection =
  | { readonly kind: "absent" }
  | { readonly kind: "selected"; readonly element: XfccElement }
  | { readonly kind: "malformed"; readonly detail: string };

const ABSENT: XfccSelection = Object.freeze({ kind: "absent" });

export function selectXfccElement(header: string | undefined, trust: XfccTrust): XfccSelection {
  if (trust.mode === "ignore" || header === undefined) return ABSENT;
  const parsed = parseXfcc(header, trust.maxBytes);
  if (!parsed.ok) return malformed(parsed.error);
  const elements = parsed.value;
  if (trust.mode === "sanitize-set") {
    const [only] = elements;
    if (elements.length !== 1 || only === undefined) {
      return malformed(`sanitize-set expects exactly one element, found ${elements.length}`);
    }
    return { kind: "selected", element: only };
  }
  const element = elements[elements.length - trust.trustedHops];
  if (element === undefined) {
    return malformed(`append with trustedHops ${trust.trustedHops} needs at least that many elements, found ${elements.length}`);
  }
  return { kind: "selected", element };
}

function malformed(detail: string): XfccSelection {
  return { kind: "malformed", detail: `x-forwarded-client-cert: ${detail}` };
}

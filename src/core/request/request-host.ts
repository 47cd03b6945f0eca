import type { Result } from "../result.ts";
import { ok } from "../result.ts";
import type { RequestError } from "./request-error.ts";
import { requestError } from "./request-error.ts";

const MAX_HOST_LENGTH = 253;
// `_` is not legal in DNS host names but is common in cluster-internal service names.
// Dot-separated labels of at most 63 characters, none empty, tested as one name (no split).
const LABELS = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;
const IPV6 = /^[0-9a-f:.]+$/;
const PORT = /^[0-9]{1,5}$/;

// One spelling per host so host-based rules cannot be bypassed by case (CVE-2021-39155), a
// port, or the absolute-FQDN trailing dot: lower-cased, port removed, one trailing dot removed.
// IPv6 literals keep their brackets so the result never looks like "host:port".
export function normalizeHost(raw: string): Result<string, RequestError> {
  const lower = raw.toLowerCase();
  const split = lower.startsWith("[") ? splitBracketed(lower) : splitPort(lower);
  if (split === undefined) {
    return requestError("host_invalid", `host ${JSON.stringify(raw)} has an invalid port or brackets`);
  }
  if (split.startsWith("[")) {
    return ok(split);
  }
  const name = split.endsWith(".") ? split.slice(0, -1) : split;
  if (name.length === 0 || name.length > MAX_HOST_LENGTH) {
    return requestError("host_invalid", `host ${JSON.stringify(raw)} is empty or too long`);
  }
  if (!LABELS.test(name)) {
    return requestError("host_invalid", `host ${JSON.stringify(raw)} has an empty or invalid label`);
  }
  return ok(name);
}

function splitPort(host: string): string | undefined {
  const colon = host.indexOf(":");
  if (colon < 0) {
    return host;
  }
  return isPort(host.slice(colon + 1)) ? host.slice(0, colon) : undefined;
}

function splitBracketed(host: string): string | undefined {
  const close = host.indexOf("]");
  if (close < 0 || !IPV6.test(host.slice(1, close)) || !host.slice(1, close).includes(":")) {
    return undefined;
  }
  const rest = host.slice(close + 1);
  if (rest !== "" && !(rest.startsWith(":") && isPort(rest.slice(1)))) {
    return undefined;
  }
  return host.slice(0, close + 1);
}

function isPort(text: string): boolean {
  return PORT.test(text) && Number(text) <= 65535;
}

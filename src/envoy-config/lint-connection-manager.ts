import type { Issue } from "../core/result.ts";
import type { ClusterIndex } from "./lint-clusters.ts";
import { lintExtAuthzFilter } from "./lint-ext-authz.ts";
import { lintRoutes } from "./lint-routes.ts";
import { enumIs, isExtension, read, readList, readNumber, readObject, readString } from "./config-access.ts";
import {
  BUFFER_FILTER,
  BUFFER_TYPE,
  ENVOY_DEFAULT_BUFFER_BYTES,
  EXT_AUTHZ_FILTER,
  EXT_AUTHZ_TYPE,
  ROUTER_FILTER,
  ROUTER_TYPE,
} from "./envoy-names.ts";
import { childPath } from "./json-path.ts";
import { indexPath } from "../core/parse/fields.ts";

// Rules for one inbound http_connection_manager: client-certificate header hygiene, one
// canonical path for Envoy and modelgate, and ext_authz ahead of the router.

export interface ConnectionManagerSite {
  readonly hcm: unknown; // the HttpConnectionManager typed_config
  readonly path: string;
  readonly listener: unknown;
}

const SAFE_ESCAPED_SLASH_ACTIONS: readonly (readonly [string, number])[] = [
  ["REJECT_REQUEST", 2],
  ["UNESCAPE_AND_REDIRECT", 3],
  ["UNESCAPE_AND_FORWARD", 4],
];

function headerIssues(hcm: unknown, path: string): Issue[] {
  const issues: Issue[] = [];
  const xfcc = read(hcm, "forward_client_cert_details");
  if (xfcc !== undefined && !enumIs(xfcc, "SANITIZE_SET", 3) && !enumIs(xfcc, "SANITIZE", 0)) {
    issues.push({
      path: childPath(path, "forward_client_cert_details"),
      message: `forward_client_cert_details must be SANITIZE_SET (or SANITIZE), got ${JSON.stringify(xfcc)}: other modes let a client forge x-forwarded-client-cert`,
    });
  }
  if (read(hcm, "normalize_path") !== true)
    issues.push({
      path: childPath(path, "normalize_path"),
      message: "normalize_path must be true, so modelgate authorizes the same path the model server receives",
    });
  if (read(hcm, "merge_slashes") !== true)
    issues.push({
      path: childPath(path, "merge_slashes"),
      message: "merge_slashes must be true, so //v2/models reaches modelgate in the same form as the model server",
    });
  const escapedSlashes = read(hcm, "path_with_escaped_slashes_action");
  if (!SAFE_ESCAPED_SLASH_ACTIONS.some(([name, number]) => enumIs(escapedSlashes, name, number))) {
    issues.push({
      path: childPath(path, "path_with_escaped_slashes_action"),
      message:
        "path_with_escaped_slashes_action must be REJECT_REQUEST (or UNESCAPE_*): %2F in a path lets Envoy and the model server disagree on the route",
    });
  }
  return issues;
}

function filterIndex(filters: readonly unknown[], name: string, type: string): number {
  return filters.findIndex((f) => isExtension(f, name, type));
}

function orderIssues(filters: readonly unknown[], path: string, authz: number): Issue[] {
  const router = filterIndex(filters, ROUTER_FILTER, ROUTER_TYPE);
  if (authz < 0) return [{ path, message: "no ext_authz filter (envoy.filters.http.ext_authz): nothing would authorize requests" }];
  if (router < 0) return [{ path, message: "no router filter (envoy.filters.http.router): Envoy requires it as the last HTTP filter" }];
  if (router < authz)
    return [
      {
        path: indexPath(path, router),
        message: "the router comes before ext_authz: requests would be forwarded before they are authorized",
      },
    ];
  return router === filters.length - 1
    ? []
    : [{ path: indexPath(path, router), message: "the router must be the last HTTP filter (Envoy rejects filters after it)" }];
}

// ext_authz buffers up to max_request_bytes; the HCM applies the listener's
// per_connection_buffer_limit_bytes (1 MiB by default) to each HTTP/1.1 stream's buffer
// (envoy docs faq/configuration/flow_control.rst), so a larger body stalls or gets 413 — unless
// a buffer filter ahead of ext_authz raises the stream limit (istio PR #49452, opa#2977).
function bodyIssues(filters: readonly unknown[], authz: number, listener: unknown, path: string): Issue[] {
  const body = readObject(read(filters[authz], "typed_config"), "with_request_body");
  const max = readNumber(body, "max_request_bytes");
  if (max === undefined) return [];
  const bufferLimit = readNumber(listener, "per_connection_buffer_limit_bytes") ?? ENVOY_DEFAULT_BUFFER_BYTES;
  const buffered = filters
    .slice(0, authz)
    .some((f) => isExtension(f, BUFFER_FILTER, BUFFER_TYPE) && (readNumber(read(f, "typed_config"), "max_request_bytes") ?? 0) >= max);
  if (max <= bufferLimit || buffered) return [];
  return [
    {
      path: `${indexPath(path, authz)}.typed_config.with_request_body.max_request_bytes`,
      message: `max_request_bytes ${max} exceeds the listener's buffer limit of ${bufferLimit} bytes: raise per_connection_buffer_limit_bytes or add an envoy.filters.http.buffer filter before ext_authz`,
    },
  ];
}

export function lintConnectionManager(site: ConnectionManagerSite, clusters: ClusterIndex): Issue[] {
  const filtersPath = childPath(site.path, "http_filters");
  const filters = readList(site.hcm, "http_filters");
  const authz = filterIndex(filters, EXT_AUTHZ_FILTER, EXT_AUTHZ_TYPE);
  const authzIssues =
    authz < 0 ? [] : lintExtAuthzFilter(read(filters[authz], "typed_config"), `${indexPath(filtersPath, authz)}.typed_config`, clusters);
  const filterName = authz < 0 ? EXT_AUTHZ_FILTER : (readString(filters[authz], "name") ?? EXT_AUTHZ_FILTER);
  return [
    ...headerIssues(site.hcm, site.path),
    ...orderIssues(filters, filtersPath, authz),
    ...authzIssues,
    ...(authz < 0 ? [] : bodyIssues(filters, authz, site.listener, filtersPath)),
    ...lintRoutes(site.hcm, site.path, filterName, clusters),
  ];
}

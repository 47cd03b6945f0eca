import type { Issue } from "../core/result.ts";
import type { ClusterIndex } from "./lint-clusters.ts";
import { http2Issues, loopbackIssues } from "./lint-clusters.ts";
import { enumIs, read, readObject, readString } from "./config-access.ts";
import { childPath } from "./json-path.ts";
import { parseDurationNanos } from "./proto-time.ts";

// The ext_authz filter settings modelgate's guarantees depend on (design §4: fail closed).

const MAX_TIMEOUT_NANOS = 1_000_000_000n;

function flagIssues(config: unknown, path: string): Issue[] {
  const issues: Issue[] = [];
  const at = (name: string): string => childPath(path, name);
  if (read(config, "failure_mode_allow") === true)
    issues.push({
      path: at("failure_mode_allow"),
      message: "failure_mode_allow must not be true: requests would reach the model unchecked whenever modelgate is down or slow",
    });
  const code = read(readObject(config, "status_on_error"), "code");
  if (!enumIs(code, "ServiceUnavailable", 503))
    issues.push({
      path: at("status_on_error"),
      message: `status_on_error must be {code: ServiceUnavailable} (503), got ${JSON.stringify(code ?? "unset (403)")}: an unreachable authz server is not a denial`,
    });
  if (!enumIs(read(config, "transport_api_version"), "V3", 2))
    issues.push({
      path: at("transport_api_version"),
      message: "transport_api_version must be V3 (modelgate serves envoy.service.auth.v3 only)",
    });
  if (read(config, "include_peer_certificate") !== true)
    issues.push({
      path: at("include_peer_certificate"),
      message: "include_peer_certificate must be true: mTLS identities are read from the peer certificate",
    });
  if (read(config, "clear_route_cache") === true)
    issues.push({
      path: at("clear_route_cache"),
      message: "clear_route_cache must not be true: a re-route after the check can reach a route whose authorization was never evaluated",
    });
  if (readObject(config, "with_request_body") === undefined)
    issues.push({
      path: at("with_request_body"),
      message: "with_request_body is required: the OpenAI-compatible profile reads the model name from the JSON body",
    });
  return issues;
}

function timeoutIssues(grpc: unknown, path: string): Issue[] {
  const timeout = read(grpc, "timeout");
  const at = childPath(path, "timeout");
  if (timeout === undefined)
    return [{ path: at, message: "grpc_service.timeout must be set explicitly (Envoy's silent default is 200ms), at most 1s" }];
  const parsed = parseDurationNanos(timeout);
  if (!parsed.ok) return [{ path: at, message: parsed.error }];
  if (parsed.value <= 0n || parsed.value > MAX_TIMEOUT_NANOS)
    return [{ path: at, message: `grpc_service.timeout must be greater than 0 and at most 1s, got ${String(timeout)}` }];
  return [];
}

function serviceIssues(config: unknown, path: string, clusters: ClusterIndex): Issue[] {
  const grpc = readObject(config, "grpc_service");
  const grpcPath = childPath(path, "grpc_service");
  if (grpc === undefined)
    return [
      {
        path: grpcPath,
        message: "ext_authz must use grpc_service (http_service does not fail closed for gRPC callers on timeout, envoy#32476)",
      },
    ];
  const clusterName = readString(readObject(grpc, "envoy_grpc"), "cluster_name");
  const issues = timeoutIssues(grpc, grpcPath);
  if (clusterName === undefined)
    return [
      ...issues,
      {
        path: grpcPath,
        message: "grpc_service must use envoy_grpc.cluster_name, so the cluster's HTTP/2, keepalive and circuit-breaker settings apply",
      },
    ];
  const entry = clusters.get(clusterName);
  if (entry === undefined)
    return [
      ...issues,
      {
        path: childPath(childPath(grpcPath, "envoy_grpc"), "cluster_name"),
        message: `cluster "${clusterName}" is not defined in static_resources.clusters`,
      },
    ];
  return [...issues, ...http2Issues(entry), ...loopbackIssues(entry, "ext_authz")];
}

export function lintExtAuthzFilter(config: unknown, path: string, clusters: ClusterIndex): Issue[] {
  return [...flagIssues(config, path), ...serviceIssues(config, path, clusters)];
}

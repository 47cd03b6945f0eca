import type { Issue } from "../core/result.ts";
import type { JsonObject } from "./config-access.ts";
import { read, readList, readObject, readString } from "./config-access.ts";
import { UPSTREAM_HTTP_OPTIONS_TYPE } from "./envoy-names.ts";
import { childPath, isJsonObject } from "./json-path.ts";
import { indexPath } from "../core/parse/fields.ts";

// Cluster rules of the sidecar: both upstreams stay inside the pod, and the authz cluster
// speaks HTTP/2 (gRPC does not work over HTTP/1.1).

export interface ClusterEntry {
  readonly cluster: JsonObject;
  readonly path: string;
}

export type ClusterIndex = ReadonlyMap<string, ClusterEntry>;

const LOOPBACK_IPS = new Set(["127.0.0.1", "::1"]);

export function indexClusters(bootstrap: unknown): ClusterIndex {
  const index = new Map<string, ClusterEntry>();
  readList(readObject(bootstrap, "static_resources"), "clusters").forEach((cluster, i) => {
    const name = readString(cluster, "name");
    if (name !== undefined && isJsonObject(cluster)) index.set(name, { cluster, path: indexPath("static_resources.clusters", i) });
  });
  return index;
}

interface EndpointAddress {
  readonly address: unknown;
  readonly path: string;
}

function endpointAddresses(entry: ClusterEntry): EndpointAddress[] {
  const assignmentPath = childPath(entry.path, "load_assignment");
  return readList(readObject(entry.cluster, "load_assignment"), "endpoints").flatMap((locality, i) =>
    readList(locality, "lb_endpoints").map((lb, j) => ({
      address: read(readObject(lb, "endpoint"), "address"),
      path: `${indexPath(childPath(assignmentPath, "endpoints"), i)}.${indexPath("lb_endpoints", j)}.endpoint.address`,
    })),
  );
}

// A Unix socket or the loopback interface: nothing outside the pod can connect to either.
function isInsidePod(address: unknown): boolean {
  if (readObject(address, "pipe") !== undefined) return true;
  return LOOPBACK_IPS.has(readString(readObject(address, "socket_address"), "address") ?? "");
}

export function loopbackIssues(entry: ClusterEntry, role: string): Issue[] {
  const addresses = endpointAddresses(entry);
  if (addresses.length === 0)
    return [
      { path: entry.path, message: `the ${role} cluster has no static endpoints (load_assignment), so its address cannot be checked` },
    ];
  return addresses
    .filter((a) => !isInsidePod(a.address))
    .map((a) => ({
      path: a.path,
      message: `the ${role} cluster must point at 127.0.0.1 or a pipe (Unix socket): a server listening beyond the pod can be reached around Envoy`,
    }));
}

export function http2Issues(entry: ClusterEntry): Issue[] {
  const options = readObject(readObject(entry.cluster, "typed_extension_protocol_options"), UPSTREAM_HTTP_OPTIONS_TYPE);
  if (readObject(readObject(options, "explicit_http_config"), "http2_protocol_options") !== undefined) return [];
  const legacy =
    read(entry.cluster, "http2_protocol_options") !== undefined ? " (the cluster-level http2_protocol_options field is deprecated)" : "";
  return [
    {
      path: entry.path,
      message: `the ext_authz cluster must use HTTP/2: set typed_extension_protocol_options["${UPSTREAM_HTTP_OPTIONS_TYPE}"].explicit_http_config.http2_protocol_options${legacy}; gRPC over HTTP/1.1 fails every check`,
    },
  ];
}

import type { Issue } from "../core/result.ts";
import type { ClusterIndex } from "./lint-clusters.ts";
import { loopbackIssues } from "./lint-clusters.ts";
import { read, readList, readObject, readString } from "./config-access.ts";
import { childPath } from "./json-path.ts";
import { indexPath } from "../core/parse/fields.ts";
import { PROBE_PATH_PREFIX } from "../core/inject/sidecar-paths.ts";

// Route rules: every route that forwards goes to a cluster inside the pod, and ext_authz is
// switched off only where Envoy answers by itself (readiness), never in front of the model.

// Per-filter configs at route_config, virtual host and route level: the most specific one
// that mentions the filter wins. ExtAuthzPerRoute and the generic
// envoy.config.route.v3.FilterConfig both switch the filter off with {disabled: true}.
function isDisabledFor(levels: readonly unknown[], filterName: string): boolean {
  const configs = levels.map((level) => read(read(level, "typed_per_filter_config"), filterName)).filter((c) => c !== undefined);
  return read(configs.at(-1), "disabled") === true;
}

function forwardedClusters(route: unknown): string[] | undefined {
  const action = readObject(route, "route");
  if (action === undefined) return [];
  const single = readString(action, "cluster");
  if (single !== undefined) return [single];
  const weighted = readList(readObject(action, "weighted_clusters"), "clusters").map((c) => readString(c, "name"));
  return weighted.length > 0 && weighted.every((n) => n !== undefined) ? weighted : undefined;
}

// A rewritten kubelet probe: GET on one exact path under the probe prefix, forwarded to a
// fixed model path. Nothing a client chooses (prefix, regex, other methods) reaches the model
// without authorization.
function isProbeRoute(route: unknown): boolean {
  const match = readObject(route, "match");
  const path = readString(match, "path");
  const keys = match === undefined ? [] : Object.keys(match);
  const methods = readList(match, "headers")
    .filter((h) => readString(h, "name") === ":method")
    .map((h) => readString(readObject(h, "string_match"), "exact"));
  const onlyGet = methods.length === 1 && methods[0] === "GET" && readList(match, "headers").length === 1;
  const fixedRewrite = readString(readObject(route, "route"), "prefix_rewrite")?.startsWith("/") === true;
  return (
    path !== undefined &&
    path.startsWith(PROBE_PATH_PREFIX) &&
    keys.every((k) => k === "path" || k === "headers") &&
    onlyGet &&
    fixedRewrite
  );
}

function routeIssues(route: unknown, path: string, enclosing: readonly unknown[], filterName: string, clusters: ClusterIndex): Issue[] {
  const targets = forwardedClusters(route);
  if (targets === undefined)
    return [
      {
        path: childPath(path, "route"),
        message:
          "a forwarding route must name its cluster(s) statically (cluster or weighted_clusters), so the lint can check where requests go",
      },
    ];
  const issues: Issue[] = [];
  if (targets.length > 0 && isDisabledFor([...enclosing, route], filterName) && !isProbeRoute(route)) {
    issues.push({
      path,
      message: `ext_authz is disabled on a route that forwards to a cluster: only Envoy-answered routes (direct_response) and kubelet probe routes (GET on an exact path under ${PROBE_PATH_PREFIX}) may skip authorization`,
    });
  }
  for (const name of targets) {
    const entry = clusters.get(name);
    if (entry === undefined)
      issues.push({ path: childPath(path, "route"), message: `cluster "${name}" is not defined in static_resources.clusters` });
    else issues.push(...loopbackIssues(entry, `model-server ("${name}")`));
  }
  return issues;
}

export function lintRoutes(hcm: unknown, hcmPath: string, filterName: string, clusters: ClusterIndex): Issue[] {
  const routeConfig = readObject(hcm, "route_config");
  if (routeConfig === undefined)
    return [
      { path: hcmPath, message: "routes must be static (route_config), not RDS or scoped routes, so where requests go can be checked" },
    ];
  const vhostsPath = childPath(childPath(hcmPath, "route_config"), "virtual_hosts");
  return readList(routeConfig, "virtual_hosts").flatMap((vhost, i) =>
    readList(vhost, "routes").flatMap((route, j) =>
      routeIssues(route, `${indexPath(vhostsPath, i)}.${indexPath("routes", j)}`, [routeConfig, vhost], filterName, clusters),
    ),
  );
}

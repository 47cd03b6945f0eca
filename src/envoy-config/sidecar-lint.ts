import type { Issue } from "../core/result.ts";
import { isExtension, readList, readObject, readString } from "./config-access.ts";
import type { ConnectionManagerSite } from "./lint-connection-manager.ts";
import { lintConnectionManager } from "./lint-connection-manager.ts";
import { indexClusters } from "./lint-clusters.ts";
import { HCM_FILTER, HCM_TYPE } from "./envoy-names.ts";
import { indexPath } from "../core/parse/fields.ts";

// Semantic rules for the Envoy config of a modelgate sidecar, on top of schema validity
// (validateProtoJson): the properties the authorization guarantee rests on. Accepts both
// field spellings; never throws, whatever the input.

function connectionManagers(bootstrap: unknown): ConnectionManagerSite[] {
  return readList(readObject(bootstrap, "static_resources"), "listeners").flatMap((listener, i) =>
    readList(listener, "filter_chains").flatMap((chain, j) =>
      readList(chain, "filters").flatMap((filter, k) =>
        isExtension(filter, HCM_FILTER, HCM_TYPE)
          ? [
              {
                hcm: readObject(filter, "typed_config"),
                listener,
                path: `static_resources.listeners[${i}].filter_chains[${j}].filters[${k}].typed_config`,
              },
            ]
          : [],
      ),
    ),
  );
}

function adminIssues(bootstrap: unknown): Issue[] {
  const address = readObject(readObject(readObject(bootstrap, "admin"), "address"), "socket_address");
  const host = readString(address, "address");
  if (address === undefined || host === "127.0.0.1" || host === "::1") return [];
  return [
    {
      path: "admin.address.socket_address.address",
      message: `the admin interface must listen on 127.0.0.1, got ${JSON.stringify(host)}: it can stop Envoy and dump its config`,
    },
  ];
}

export function lintSidecarEnvoyConfig(bootstrap: unknown): Issue[] {
  const sites = connectionManagers(bootstrap);
  if (sites.length === 0) {
    return [
      {
        path: indexPath("static_resources.listeners", 0),
        message: "no listener with an http_connection_manager: nothing would enforce ext_authz",
      },
    ];
  }
  const clusters = indexClusters(bootstrap);
  return [...sites.flatMap((site) => lintConnectionManager(site, clusters)), ...adminIssues(bootstrap)];
}

import { accessSync, constants } from "node:fs";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join } from "node:path";
import protobuf from "protobufjs";
import type { Root } from "protobufjs";
import { envoyProtoIncludeDirs } from "../adapters/grpc/envoy-protos.ts";

// Every type an `@type` URL in the rendered sidecar names must be loaded here: `Any` payloads
// are resolved in this root, and an unloaded type reads as "unknown @type".
export const ENVOY_VALIDATION_PROTO_FILES: readonly string[] = [
  "envoy/config/bootstrap/v3/bootstrap.proto",
  "envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto",
  "envoy/extensions/filters/http/ext_authz/v3/ext_authz.proto",
  "envoy/extensions/filters/http/router/v3/router.proto",
  "envoy/extensions/filters/http/buffer/v3/buffer.proto",
  "envoy/extensions/transport_sockets/tls/v3/tls.proto",
  "envoy/extensions/upstreams/http/v3/http_protocol_options.proto",
  "envoy/extensions/access_loggers/grpc/v3/als.proto",
  "envoy/extensions/access_loggers/stream/v3/stream.proto",
];

// The Envoy tree imports google/protobuf/descriptor.proto (for options), which the bundled
// googleapis folder lacks; protobufjs ships that file, so its package folder is the last include.
function includeDirs(): string[] {
  const require = createRequire(import.meta.url);
  return [...envoyProtoIncludeDirs(), dirname(require.resolve("protobufjs"))];
}

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

// Loading takes ~150 ms: call once and share the root (it is not mutated by validation).
// A missing proto file means a broken install, not bad input, so it throws.
export function loadEnvoyValidationRoot(files: readonly string[] = ENVOY_VALIDATION_PROTO_FILES): Root {
  const dirs = includeDirs();
  const root = new protobuf.Root();
  root.resolvePath = (_origin: string, target: string): string => {
    if (isAbsolute(target)) return target;
    return dirs.map((d) => join(d, target)).find(readable) ?? target;
  };
  root.loadSync([...files], { keepCase: true });
  root.resolveAll();
  return root;
}

import protobuf from "protobufjs";
import { existsSync } from "node:fs";
import { join } from "node:path";
const base = "/work/main/node_modules/@grpc/grpc-js-xds/deps";
const dirs = [...["envoy-api","googleapis","protoc-gen-validate","xds"].map(d=>join(base,d)), "/work/main/node_modules/protobufjs"];
const root = new protobuf.Root();
root.resolvePath = (origin, target) => { for (const d of dirs) { const p = join(d, target); if (existsSync(p)) return p; } return target; };
root.loadSync(["envoy/config/bootstrap/v3/bootstrap.proto","envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto","envoy/extensions/filters/http/ext_authz/v3/ext_authz.proto","envoy/extensions/filters/http/router/v3/router.proto","envoy/extensions/transport_sockets/tls/v3/tls.proto","envoy/extensions/upstreams/http/v3/http_protocol_options.proto","envoy/extensions/filters/http/buffer/v3/buffer.proto"], {keepCase:true});
root.resolveAll();
for (const tn of process.argv.slice(2)) { const t = root.lookup(tn); if (t instanceof protobuf.Enum) { console.log(tn, JSON.stringify(t.values)); continue; } console.log("==", tn); for (const f of t.fieldsArray) console.log("  ", f.name, f.repeated?"repeated":"", f.map?`map<${f.keyType}>`:"", f.type, f.partOf?`oneof:${f.partOf.name}`:"", f.options?.deprecated?"DEPRECATED":""); }

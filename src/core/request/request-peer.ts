import type { Result } from "../result.ts";
import { ok } from "../result.ts";
import type { Peer } from "./normalized-request.ts";
import { percentDecode } from "./percent-decode.ts";
import type { RequestError } from "./request-error.ts";
import { requestError } from "./request-error.ts";
import type { Fields } from "./shape.ts";
import { readFields, readString } from "./shape.ts";

const NO_PEER: Peer = Object.freeze({ address: "", principal: "", certificate: "" });
const SOCKET = "source.address.socket_address";

// attributes.source: the downstream connection as Envoy saw it (never X-Forwarded-For).
export function readPeer(source: Fields | undefined): Result<Peer, RequestError> {
  if (source === undefined) {
    return ok(NO_PEER);
  }
  const address = readPeerAddress(source);
  if (!address.ok) {
    return address;
  }
  const principal = readString(source, "principal", "source");
  if (!principal.ok) {
    return principal;
  }
  const certificate = readString(source, "certificate", "source");
  if (!certificate.ok) {
    return certificate;
  }
  // Envoy URL-encodes the PEM; a broken encoding cannot be a certificate Envoy verified.
  const pem = percentDecode(certificate.value ?? "", false);
  if (!pem.ok) {
    return requestError("request_malformed", `source.certificate: ${pem.error}`);
  }
  return ok(Object.freeze({ address: address.value, principal: principal.value ?? "", certificate: pem.value }));
}

// "ip:port" ("[v6]:port" for IPv6 so the port stays unambiguous), or the Unix socket path.
function readPeerAddress(source: Fields): Result<string, RequestError> {
  const address = readFields(source, "address", "source");
  if (!address.ok || address.value === undefined) {
    return address.ok ? ok("") : address;
  }
  const socket = readFields(address.value, "socket_address", "source.address");
  if (!socket.ok) {
    return socket;
  }
  if (socket.value !== undefined) {
    return formatSocketAddress(socket.value);
  }
  const pipe = readFields(address.value, "pipe", "source.address");
  if (!pipe.ok || pipe.value === undefined) {
    return pipe.ok ? ok("") : pipe;
  }
  const path = readString(pipe.value, "path", "source.address.pipe");
  return path.ok ? ok(path.value ?? "") : path;
}

function formatSocketAddress(socket: Fields): Result<string, RequestError> {
  const ip = readString(socket, "address", SOCKET);
  if (!ip.ok) {
    return ip;
  }
  const named = readString(socket, "named_port", SOCKET);
  if (!named.ok) {
    return named;
  }
  const portValue = socket["port_value"];
  if (portValue !== undefined && typeof portValue !== "number") {
    return requestError("request_malformed", `${SOCKET}.port_value must be a number`);
  }
  const text = ip.value ?? "";
  const host = text.includes(":") ? `[${text}]` : text;
  const port = portValue === undefined ? named.value : String(portValue);
  return ok(port === undefined ? host : `${host}:${port}`);
}

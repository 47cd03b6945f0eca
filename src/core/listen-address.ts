// "host:port" as both servers' configurations accept it: a host name or IPv4 address, or an
// IPv6 address in brackets, and a port from 0 (any free port) to 65535.
export const LISTEN_ADDRESS = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(6553[0-5]|655[0-2]\d|65[0-4]\d\d|6[0-4]\d{3}|[1-5]\d{4}|\d{1,4})$/;
export const LISTEN_ADDRESS_TEXT = "must be host:port (a host name, an IPv4 address or a bracketed IPv6 address, and a port up to 65535)";

// "host:port" or "[v6]:port" (as the configuration validates them) split for net.Server.listen.
export function splitHostPort(listen: string): { host: string; port: number } {
  const at = listen.lastIndexOf(":");
  return { host: listen.slice(0, at).replace(/^\[|\]$/g, ""), port: Number(listen.slice(at + 1)) };
}

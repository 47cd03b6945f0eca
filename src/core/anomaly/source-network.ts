// The unit the sharing rule counts: the caller's network address without the port; an IPv6
// address is reduced to its /64, because one client's privacy addresses rotate within its /64
// (RFC 8981) and would otherwise look like many sources. IPv4-mapped IPv6 counts as IPv4.

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

function hostOf(address: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed?.[1] !== undefined) return bracketed[1];
  const colon = address.lastIndexOf(":");
  return colon > 0 && address.indexOf(":") === colon ? address.slice(0, colon) : address;
}

// The eight 16-bit groups of an IPv6 address, or undefined when it is not one.
function ipv6Groups(text: string): number[] | undefined {
  const zoneless = text.split("%")[0] ?? "";
  const halves = zoneless.split("::");
  if (halves.length > 2) return undefined;
  const part = (s: string | undefined): string[] => (s === undefined || s === "" ? [] : s.split(":"));
  const head = part(halves[0]);
  const tail = part(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 1 ? 0 : missing).fill("0"), ...tail];
  if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return groups.map((g) => parseInt(g, 16));
}

// undefined when there is no address to count (an empty peer, a Unix socket path).
export function sourceNetwork(address: string | undefined): string | undefined {
  if (address === undefined || address === "") return undefined;
  const host = hostOf(address);
  if (IPV4.test(host)) return host;
  const mapped = MAPPED.exec(host);
  if (mapped?.[1] !== undefined) return mapped[1];
  const groups = ipv6Groups(host);
  if (groups !== undefined)
    return `${groups
      .slice(0, 4)
      .map((g) => g.toString(16))
      .join(":")}::/64`;
  return host.startsWith("/") ? undefined : host;
}

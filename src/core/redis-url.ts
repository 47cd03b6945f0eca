import { err, ok, type Result } from "./result.ts";

// Where Redis is, from a URL or from explicit fields:
//   redis://[user:password@]host[:port][/db]         standalone (rediss:// for TLS)
//   redis+sentinel://[…@]host[:port],host[:port]/master[/db]   Sentinel (default port 26379)
//   redis+cluster://[…@]host[:port],host[:port]      Cluster seed nodes (rediss+… for TLS)
// Comma-separated hosts are not URL syntax, so this parses by hand rather than with `URL`.

export type RedisTopology = "standalone" | "sentinel" | "cluster";

export interface RedisEndpoint {
  readonly host: string;
  readonly port: number;
}

export interface RedisTarget {
  readonly topology: RedisTopology;
  readonly nodes: readonly RedisEndpoint[]; // standalone: the server; sentinel: the sentinels; cluster: seeds
  readonly sentinelName: string; // "" unless sentinel
  readonly db: number;
  readonly tls: boolean;
  readonly username: string | undefined;
  readonly password: string | undefined;
}

const SCHEMES: Readonly<Record<string, readonly [RedisTopology, boolean]>> = {
  redis: ["standalone", false],
  rediss: ["standalone", true],
  "redis+sentinel": ["sentinel", false],
  "rediss+sentinel": ["sentinel", true],
  "redis+cluster": ["cluster", false],
  "rediss+cluster": ["cluster", true],
};

export const DEFAULT_PORT: Readonly<Record<RedisTopology, number>> = { standalone: 6379, sentinel: 26379, cluster: 6379 };

const URL_SHAPE = /^([a-z+]+):\/\/(?:([^@/]*)@)?([^/?#]+)(\/[^?#]*)?$/;

export function parseRedisUrl(text: string): Result<RedisTarget, string> {
  const m = URL_SHAPE.exec(text);
  const scheme = SCHEMES[m?.[1] ?? ""];
  if (m === null || scheme === undefined) {
    return err(`expected redis://, rediss://, redis+sentinel:// or redis+cluster://host:port…, without query or fragment`);
  }
  const [topology, tls] = scheme;
  const credentials = parseUserInfo(m[2]);
  if (!credentials.ok) return credentials;
  const nodes = parseEndpoints(m[3] ?? "", DEFAULT_PORT[topology]);
  if (!nodes.ok) return nodes;
  if (topology === "standalone" && nodes.value.length !== 1) return err("a standalone URL names exactly one host");
  const path = parsePath(topology, m[4] ?? "");
  if (!path.ok) return path;
  return ok({ topology, nodes: nodes.value, ...path.value, tls, ...credentials.value });
}

function parseUserInfo(info: string | undefined): Result<{ username: string | undefined; password: string | undefined }, string> {
  if (info === undefined) return ok({ username: undefined, password: undefined });
  const colon = info.indexOf(":");
  try {
    const user = decodeURIComponent(colon < 0 ? info : info.slice(0, colon));
    const password = colon < 0 ? undefined : decodeURIComponent(info.slice(colon + 1));
    return ok({ username: user === "" ? undefined : user, password });
  } catch {
    return err("the user or password is not valid percent-encoding");
  }
}

function parseEndpoints(text: string, defaultPort: number): Result<RedisEndpoint[], string> {
  const nodes: RedisEndpoint[] = [];
  for (const part of text.split(",")) {
    const node = parseEndpoint(part, defaultPort);
    if (!node.ok) return node;
    nodes.push(node.value);
  }
  return ok(nodes);
}

const ENDPOINT = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+))(?::(\d{1,5}))?$/;

export function parseEndpoint(text: string, defaultPort: number): Result<RedisEndpoint, string> {
  const m = ENDPOINT.exec(text);
  const port = m?.[3] === undefined ? defaultPort : Number(m[3]);
  if (m === null || port < 1 || port > 65535)
    return err(`${JSON.stringify(text.slice(0, 80))} is not host[:port] (IPv6 in brackets, port 1-65535)`);
  return ok({ host: m[1] ?? m[2] ?? "", port });
}

function parsePath(topology: RedisTopology, path: string): Result<{ sentinelName: string; db: number }, string> {
  const parts = path.split("/").filter((p) => p !== "");
  const dbText = topology === "sentinel" ? parts[1] : parts[0];
  const db = dbText === undefined ? 0 : /^\d{1,2}$/.test(dbText) ? Number(dbText) : Number.NaN;
  if (topology === "sentinel" && (parts[0] === undefined || parts.length > 2)) return err("a Sentinel URL ends with /<master name>[/<db>]");
  if (topology === "cluster" && parts.length > 0) return err("a Cluster URL has no path: Redis Cluster has only database 0");
  if (topology === "standalone" && parts.length > 1) return err("the path of a redis:// URL is /<db>");
  if (Number.isNaN(db)) return err(`database ${JSON.stringify(dbText)} is not a number from 0 to 99`);
  const sentinelName = topology === "sentinel" ? (parts[0] ?? "") : "";
  if (!/^[A-Za-z0-9._-]*$/.test(sentinelName))
    return err(`master name ${JSON.stringify(sentinelName.slice(0, 40))} may only hold letters, digits, ".", "_" and "-"`);
  return ok({ sentinelName, db });
}

import { createHash } from "node:crypto";
import { Cluster, Command, Redis, type ClusterOptions } from "ioredis";
import type { ScriptCall } from "./limiter-script-codec.ts";
import { LIMITER_LUA } from "./limiter-lua.ts";
import { SANCTION_LUA } from "./sanction-lua.ts";
import { prepareOnReady } from "./prepare-scripts.ts";
import type { ScriptPort } from "./redis-limiter.ts";
import type { RedisTarget } from "../../core/redis-url.ts";
import { turnWrites } from "../redis/turn-writes.ts";

// The ioredis client for the limiter, standalone, Sentinel or Cluster. Nothing may queue up
// behind a dead Redis: no offline queue, no retry of a sent command (a retried charge could
// count twice), a command timeout, and quick reconnects so recovery takes at most a second or so.
// The commands of one event-loop turn go out in one write per node (turn-writes.ts): the client
// corks its socket (a Cluster client every primary's) for the turn instead of ioredis'
// auto-pipelining, whose per-batch Pipeline objects were promoted to the old generation.
// The limiter script is sent as a plain EVALSHA command (`limiterScriptCommand` below), with
// EVAL on NOSCRIPT within the same call; a Cluster client routes it by its first key, which
// ioredis reads from the key count as for any EVALSHA.
// Every time the client becomes ready (start-up and each reconnect) both scripts are loaded
// with SCRIPT LOAD on every master, so no limiter call pays for sending or compiling them; the
// connection counts as prepared from the first time that succeeded (prepare-scripts.ts).

export interface RedisConnectionOptions {
  readonly commandTimeoutMs: number;
  readonly socketTimeoutMs?: number; // default: 50 × commandTimeoutMs, at least 1 s
  readonly connectTimeoutMs: number;
  readonly onError: (error: Error) => void;
  readonly onPrepared?: () => void; // once, the first time the scripts were loaded
}

export interface RedisConnection extends ScriptPort {
  readonly client: Redis | Cluster;
  // True once connected with the scripts loaded; stays true through later outages.
  prepared(): boolean;
  // Resolves true once prepared, false if that did not happen within `withinMs`.
  whenPrepared(withinMs: number): Promise<boolean>;
  // Runs the sanction script (sanction-lua.ts) on one caller's sanction key.
  impose(key: string, args: readonly string[]): Promise<unknown>;
  close(): Promise<void>;
}

type LimiterCommand = (...keysAndArgs: string[]) => Promise<unknown>;

// Left to inference: ioredis' own RedisOptions type does not satisfy its constructors under
// exactOptionalPropertyTypes (its replyMapping field).
function clientOptions(target: RedisTarget, options: RedisConnectionOptions) {
  return {
    commandTimeout: options.commandTimeoutMs,
    // A Redis that stops answering (frozen, blackholed) keeps the socket open and every sent
    // command queued inside ioredis; past this silence the socket is dropped and the queue with it.
    socketTimeout: options.socketTimeoutMs ?? Math.max(1000, 50 * options.commandTimeoutMs),
    connectTimeout: options.connectTimeoutMs,
    maxRetriesPerRequest: 0,
    // The script's reply is a flat list of integers in either protocol, and ioredis decodes
    // RESP2 with less client CPU per reply than RESP3 (its default).
    protocol: 2 as const,
    enableAutoPipelining: false, // turn-writes.ts batches instead
    ...(target.tls ? { tls: {} } : {}),
    ...(target.username === undefined ? {} : { username: target.username }),
    ...(target.password === undefined ? {} : { password: target.password }),
  };
}

function reconnectDelay(times: number): number {
  return Math.min(50 * times, 500);
}

function createClient(target: RedisTarget, options: RedisConnectionOptions): Redis | Cluster {
  const common = clientOptions(target, options);
  if (target.topology === "cluster") {
    const cluster = {
      enableOfflineQueue: false,
      enableAutoPipelining: false, // turn-writes.ts batches per node instead
      scaleReads: "master", // the limiter's reads must see the latest writes
      clusterRetryStrategy: reconnectDelay,
      redisOptions: common,
    } satisfies ClusterOptions;
    return new Cluster(
      target.nodes.map((n) => ({ host: n.host, port: n.port })),
      cluster,
    );
  }
  const base = { ...common, enableOfflineQueue: false, retryStrategy: reconnectDelay, db: target.db };
  if (target.topology === "sentinel") {
    const sentinels = target.nodes.map((n) => ({ host: n.host, port: n.port }));
    return new Redis({ ...base, sentinels, name: target.sentinelName, role: "master" as const });
  }
  const node = target.nodes[0] ?? { host: "127.0.0.1", port: 6379 };
  return new Redis({ ...base, host: node.host, port: node.port });
}

export function connectRedis(target: RedisTarget, options: RedisConnectionOptions): RedisConnection {
  const client = createClient(target, options);
  client.on("error", options.onError);
  const hold = turnWrites(client);
  client.defineCommand("modelgateSanction", { lua: SANCTION_LUA, numberOfKeys: 1 });
  const sanction = (client as unknown as Record<string, LimiterCommand | undefined>)["modelgateSanction"];
  if (sanction === undefined) throw new Error("ioredis did not define the sanction command");
  const preparation = prepareOnReady(client, [LIMITER_LUA, SANCTION_LUA], options);
  return {
    clustered: target.topology === "cluster",
    client,
    prepared: preparation.prepared,
    whenPrepared: preparation.whenPrepared,
    impose: (key, args) => {
      hold();
      return sanction.call(client, key, ...args);
    },
    run: (call: ScriptCall) => {
      hold();
      return limiterScriptCommand(client, call);
    },
    close: async () => {
      preparation.stop();
      await client.quit().catch(() => client.disconnect());
    },
  };
}

const LIMITER_SHA = createHash("sha1").update(LIMITER_LUA).digest("hex");
const NO_OPTIONS = {};

// The script command of one limiter call, built directly rather than through ioredis'
// defineCommand, whose Script wrapper copies the arguments twice and gives every command a
// closure of its own to watch for NOSCRIPT (measured with bench/redis-limiter-cost.ts: 1.4 µs
// and 1.6 KB less per charge). A NOSCRIPT (Redis restarted or flushed its scripts since they
// were loaded) is answered by sending the same call as EVAL, which also caches the script again.
function limiterScriptCommand(client: Redis | Cluster, call: ScriptCall): Promise<unknown> {
  const args = [LIMITER_SHA, String(call.keys.length), ...call.keys, ...call.args];
  const evalsha = new Command("evalsha", args, NO_OPTIONS);
  void client.sendCommand(evalsha);
  return evalsha.promise.catch((error: unknown) => {
    if (!isNoScript(error)) throw error;
    args[0] = LIMITER_LUA;
    const evalCommand = new Command("eval", args, NO_OPTIONS);
    void client.sendCommand(evalCommand);
    return evalCommand.promise;
  });
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith("NOSCRIPT");
}

import { Redis, type Cluster } from "ioredis";
import { turnWrites } from "../redis/turn-writes.ts";
import { ANOMALY_LUA } from "./anomaly-lua.ts";
import type { AnomalyScriptCall } from "./anomaly-script-codec.ts";

// The detector's narrow view of Redis: run the anomaly script once. Any ioredis client works
// (standalone, Sentinel or Cluster: every key of a call shares one hash tag); the script goes
// through defineCommand, which sends EVALSHA and falls back to EVAL on NOSCRIPT. The calls of one
// event-loop turn go out in one write (turn-writes.ts).

export interface AnomalyScriptPort {
  run(call: AnomalyScriptCall): Promise<unknown>;
  close(): Promise<void>;
}

const COMMAND = "modelgateAnomaly";
const KEY_COUNT = 8;

type ScriptCommand = (...keysAndArgs: string[]) => Promise<unknown>;

export function anomalyScriptPort(client: Redis | Cluster): AnomalyScriptPort {
  client.defineCommand(COMMAND, { lua: ANOMALY_LUA, numberOfKeys: KEY_COUNT });
  const command = (client as unknown as Record<string, ScriptCommand | undefined>)[COMMAND];
  if (command === undefined) throw new Error("ioredis did not define the anomaly command");
  const hold = turnWrites(client);
  return {
    run: (call) => {
      if (call.keys.length !== KEY_COUNT) throw new Error(`the anomaly script takes ${KEY_COUNT} keys, got ${call.keys.length}`);
      hold();
      return command.call(client, ...call.keys, ...call.args);
    },
    close: async () => {
      await client.quit().catch(() => client.disconnect());
    },
  };
}

export interface AnomalyRedisOptions {
  readonly timeoutMs: number; // per command; nothing queues behind a dead Redis
  readonly readyMs: number; // how long start-up waits for the first connection
  readonly onError: (error: Error) => void;
}

// A standalone client from a redis:// or rediss:// URL. Commands fail fast while disconnected
// (no offline queue, no retries): the detector counts them as failed observations and moves on.
export async function connectAnomalyRedis(url: string, options: AnomalyRedisOptions): Promise<AnomalyScriptPort> {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    commandTimeout: options.timeoutMs,
    maxRetriesPerRequest: 0,
    enableAutoPipelining: false, // one write per event-loop turn through turn-writes.ts instead
    retryStrategy: (times: number) => Math.min(50 * times, 1000),
  });
  client.on("error", options.onError);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, options.readyMs);
    client.once("ready", () => (clearTimeout(timer), resolve()));
  });
  return anomalyScriptPort(client);
}

import { Redis } from "ioredis";
import type { ChainHead, SealedRecord } from "../../core/audit/chain.ts";
import type { AuditSink } from "../../core/audit/sink.ts";

// A Redis Stream collecting the chains of every replica: each entry has one field, `record`,
// holding the canonical line; replicas are told apart by the record's `chain`. The stream is
// capped with XADD MAXLEN ~ (older entries are trimmed: verify a trimmed stream with
// --allow-partial-start). Each replica's chain head is kept next to the stream, so a restart
// continues the chain, and the append script skips records already stored, so a retried batch
// (a reply lost to a timeout) never stores a record twice. Both keys share one hash tag, so the
// script also runs on Redis Cluster.

export interface RedisSinkOptions {
  readonly client: Redis; // created with enableOfflineQueue: false and a commandTimeout
  readonly key: string; // stream `{key}:stream`, heads `{key}:head:<replica>`
  readonly maxLen: number;
  readonly replica: string;
  readonly onError?: (message: string, error: unknown) => void;
}

// KEYS: stream, head. ARGV: maxlen, chain, first seq, last seq, last hash, line…
const APPEND_SCRIPT = `
local stored_chain = redis.call('HGET', KEYS[2], 'chain')
local stored_seq = tonumber(redis.call('HGET', KEYS[2], 'seq') or '-1')
local first = tonumber(ARGV[3])
local skip = 0
if stored_chain == ARGV[2] and stored_seq >= first then skip = stored_seq - first + 1 end
local added = 0
for i = 6 + skip, #ARGV do
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'record', ARGV[i])
  added = added + 1
end
if added > 0 then redis.call('HSET', KEYS[2], 'chain', ARGV[2], 'seq', ARGV[4], 'hash', ARGV[5]) end
return added
`;

export function redisStreamKeys(key: string, replica: string): { stream: string; head: string } {
  return { stream: `{${key}}:stream`, head: `{${key}}:head:${replica}` };
}

export function createRedisSink(options: RedisSinkOptions): AuditSink {
  const keys = redisStreamKeys(options.key, options.replica);
  return {
    name: "redis",
    async append(records: readonly SealedRecord[]): Promise<void> {
      const first = records[0];
      const last = records.at(-1);
      if (first === undefined || last === undefined) return;
      const args = [String(options.maxLen), first.chain, String(first.seq), String(last.seq), last.hash, ...records.map((r) => r.line)];
      await options.client.eval(APPEND_SCRIPT, 2, keys.stream, keys.head, ...args);
    },
    async resume(): Promise<ChainHead | undefined> {
      try {
        const head = await options.client.hgetall(keys.head);
        const seq = Number(head["seq"]);
        if (head["chain"] === undefined || head["hash"] === undefined || !Number.isSafeInteger(seq)) return undefined;
        return { chain: head["chain"], seq, hash: head["hash"] };
      } catch (error: unknown) {
        // Redis unreachable at start: a new chain starts; the old one stays verifiable as it is.
        options.onError?.("cannot read the audit chain head from Redis; starting a new chain", error);
        return undefined;
      }
    },
    async close(): Promise<void> {
      await options.client.quit().catch(() => options.client.disconnect());
    },
  };
}

// A client for the sink: commands fail fast while disconnected (the writer retries and, past
// writeTimeoutMs, fails closed) instead of queueing without bound. Waits up to `readyMs` for
// the first connection so the chain head can be read; ioredis keeps reconnecting after that.
export async function connectAuditRedis(url: string, commandTimeoutMs: number, readyMs: number): Promise<Redis> {
  const client = new Redis(url, { enableOfflineQueue: false, commandTimeout: commandTimeoutMs, maxRetriesPerRequest: 0 });
  client.on("error", () => undefined); // connection errors surface as failed appends
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, readyMs);
    client.once("ready", () => (clearTimeout(timer), resolve()));
  });
  return client;
}

// A stand-in for one modelgate replica under load, run as its own Node process by the accuracy
// and chaos tests: it connects a RedisLimiter to the shared Redis and charges as fast as it can
// with many concurrent callers, then prints one JSON line with what it saw.
//   node redis-charger.ts '<ChargerConfig as JSON>'
import { connect, waitReady } from "./redis-limiter-kit.ts";
import type { ChargeRequest } from "../../../src/core/limit/limiter-port.ts";
import type { LimitSpec, PenaltyBoxSpec } from "../../../src/core/policy/types.ts";

export interface ChargerConfig {
  readonly url: string;
  readonly callers: number;
  readonly startAt: number; // epoch ms, so several processes start together
  readonly durationMs: number;
  readonly limits: readonly LimitSpec[];
  readonly tag: string; // accuracy: the one identity's hash tag
  readonly identities: number; // chaos: spread over this many tags instead (0 = use `tag`)
  readonly penaltyBox: PenaltyBoxSpec | undefined;
}

export interface ChargerReport {
  readonly admitted: number[]; // Redis TIME (ms) of every admitted request
  readonly denied: number[]; // … and of every denied one
  readonly lastNowMs: number; // Redis TIME of the last call this process made
  readonly calls: number;
  readonly errors: number;
  readonly firstError: string;
}

function requestFor(config: ChargerConfig, n: number): ChargeRequest {
  const tag = config.identities > 0 ? `${config.tag}-${n % config.identities}` : config.tag;
  const orgTag = `${config.tag}-org-${n % 3}`;
  const charges = config.limits.map((limit) => ({
    key: limit.by.kind === "attribute" ? `mg:rl:{${orgTag}}:${limit.name}` : `mg:rl:{${tag}}:${limit.name}`,
    limit,
  }));
  const penaltyBox = config.penaltyBox === undefined ? undefined : { key: `mg:pb:{${tag}}:policy`, spec: config.penaltyBox };
  return { charges, cost: 1, failClosed: false, penaltyBox };
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? "{}") as ChargerConfig;
  const { connection, limiter } = await connect(config.url, 5_000);
  await waitReady(connection);
  const report = { admitted: [] as number[], denied: [] as number[], lastNowMs: 0, calls: 0, errors: 0, firstError: "" };
  await new Promise((r) => setTimeout(r, Math.max(0, config.startAt - Date.now())));
  const end = Date.now() + config.durationMs;
  let n = 0;
  const caller = async () => {
    while (Date.now() < end) {
      const outcome = await limiter.tryCharge(requestFor(config, n++));
      report.calls++;
      if (!outcome.ok) {
        report.errors++;
        report.firstError ||= outcome.error;
        continue;
      }
      report.lastNowMs = Math.max(report.lastNowMs, outcome.value.nowMs);
      (outcome.value.verdict.kind === "allowed" ? report.admitted : report.denied).push(outcome.value.nowMs);
    }
  };
  await Promise.all(Array.from({ length: config.callers }, caller));
  process.stdout.write(`${JSON.stringify(report)}\n`);
  await connection.close();
}

if (process.argv[1]?.endsWith("redis-charger.ts") === true) await main();

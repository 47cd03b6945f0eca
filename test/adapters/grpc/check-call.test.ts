import { describe, expect, it } from "vitest";
import { checkCallHandler } from "../../../src/adapters/grpc/check-call.ts";
import { DeadlineQueue } from "../../../src/adapters/grpc/deadline-queue.ts";
import { denialWithoutContext } from "../../../src/core/decide.ts";
import type { Decision } from "../../../src/core/decision.ts";
import type { DecisionService } from "../../../src/core/decision-service.ts";

// The Check method's call logic without a transport: which answer a call gets and whether the
// pipeline ran, for each way a decision can end.

type Decide = (signal: AbortSignal) => Decision | Promise<Decision>;

interface Run {
  readonly answers: string[]; // reasons, in the order answered
  decided: number; // how often the pipeline ran
  failures: number;
  readonly signals: AbortSignal[];
  cancel: () => void;
}

const denial = (reason: Parameters<typeof denialWithoutContext>[0]) => denialWithoutContext(reason, "test", "id", 0);

function run(
  decideWith: Decide,
  options: { remainingMs?: number | undefined; maxInFlight?: number | undefined; calls?: number | undefined } = {},
): Run {
  const result: Run = { answers: [], decided: 0, failures: 0, signals: [], cancel: () => undefined };
  const service: DecisionService = {
    admit: () => undefined,
    decide: (_request, signal) => {
      result.decided += 1;
      result.signals.push(signal);
      return decideWith(signal);
    },
    deny: (reason, detail) => denialWithoutContext(reason, detail, "id", 0),
    record: (decision, _ms, answer) => answer(decision),
    failed: () => {
      result.failures += 1;
    },
  };
  const handle = checkCallHandler({
    service,
    maxInFlight: options.maxInFlight ?? 10,
    maxReceiveBytes: 1024,
    deadlines: new DeadlineQueue(),
    encode: (_response, _id, reason) => Buffer.from(reason),
  });
  for (let i = 0; i < (options.calls ?? 1); i += 1) {
    result.cancel = handle({
      request: {},
      remainingMs: options.remainingMs ?? Number.POSITIVE_INFINITY,
      reply: (answer) => result.answers.push(answer.toString()),
    });
  }
  return result;
}

const never = () => new Promise<Decision>(() => undefined);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("checkCallHandler", () => {
  it.each([
    {
      name: "a synchronous decision is answered at once",
      decideWith: () => denial("api_key_unknown"),
      answers: ["api_key_unknown"],
      decided: 1,
    },
    {
      name: "a budget already spent is answered deadline_exceeded without deciding (nothing charged)",
      decideWith: () => denial("api_key_unknown"),
      remainingMs: 2,
      answers: ["deadline_exceeded"],
      decided: 0,
    },
    {
      name: "a pipeline that throws is answered internal_error",
      decideWith: () => {
        throw new Error("bug");
      },
      answers: ["internal_error"],
      decided: 1,
    },
    {
      name: "calls past maxInFlight are answered overloaded without deciding",
      decideWith: never,
      maxInFlight: 1,
      calls: 3,
      answers: ["overloaded", "overloaded"],
      decided: 1,
    },
  ])("$name", ({ decideWith, remainingMs, maxInFlight, calls, answers, decided }) => {
    const result = run(decideWith, { remainingMs, maxInFlight, calls });
    expect(result.answers).toEqual(answers);
    expect(result.decided).toBe(decided);
  });

  it("answers a decision that outlives the caller's budget deadline_exceeded, once, and aborts it", async () => {
    const result = run(
      async () => {
        await sleep(200);
        return denial("api_key_unknown");
      },
      { remainingMs: 40 },
    );
    await sleep(300);
    expect(result.answers).toEqual(["deadline_exceeded"]);
    expect(result.signals[0]?.aborted).toBe(true);
  });

  it("a rejected decision is answered internal_error and logged", async () => {
    const result = run(() => Promise.reject(new Error("bug")));
    await sleep(0);
    expect(result.answers).toEqual(["internal_error"]);
    expect(result.failures).toBe(1);
  });

  it("the caller going away aborts the pending decision, and does nothing after an answer", () => {
    const pending = run(never);
    pending.cancel();
    expect(pending.signals[0]?.aborted).toBe(true);
    const answered = run(() => denial("api_key_unknown"));
    answered.cancel();
    expect(answered.signals[0]?.aborted).toBe(false);
  });
});

import { randomUUID } from "node:crypto";
import { denialWithoutContext } from "../../../src/core/decide.ts";
import type { Decision } from "../../../src/core/decision.ts";
import type { DecisionService } from "../../../src/core/decision-service.ts";

// A decision service for tests of the gRPC edge: the given pipeline, no audit log (everything
// is admitted), and a record phase that answers and then tells `onDecision`.
export function plainDecisionService(options: {
  readonly decide: DecisionService["decide"];
  readonly onDecision?: (decision: Decision) => void;
  readonly onError?: (error: unknown) => void;
}): DecisionService {
  return {
    admit: () => undefined,
    decide: options.decide,
    deny: (reason, detail) => denialWithoutContext(reason, detail, randomUUID(), Date.now()),
    record: (decision, _ms, answer) => {
      answer(decision);
      options.onDecision?.(decision);
    },
    failed: (error) => options.onError?.(error),
  };
}

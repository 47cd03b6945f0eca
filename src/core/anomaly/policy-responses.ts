import type { PolicyRef } from "../policy/types.ts";
import type { AnomalyResponses } from "./rules.ts";

// Looks up the `spec.anomaly` choices of the AccessPolicy that made a decision. The server reads
// the policies it serves; `audit analyze` has none unless given policy files.
export type PolicyResponses = (policy: PolicyRef) => AnomalyResponses | undefined;

export const NO_POLICY_RESPONSES: PolicyResponses = () => undefined;

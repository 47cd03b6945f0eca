// The anomaly rules and the responses a policy can choose for them. Both are closed sets: they
// are metric labels and audit record values, so a reader can switch on them.

export const ANOMALY_RULES = ["volume", "probing", "reconnaissance", "sharing"] as const;
export type AnomalyRule = (typeof ANOMALY_RULES)[number];

export const ANOMALY_ACTIONS = ["alert", "lower-limits", "block"] as const;
export type AnomalyAction = (typeof ANOMALY_ACTIONS)[number];

// An AccessPolicy's own choices (`spec.anomaly`), per rule; rules left out use the configured response.
export type AnomalyResponses = Readonly<Partial<Record<AnomalyRule, AnomalyAction>>>;

// What happens when a rule fires, as recorded in the alert.
export interface AnomalyResponse {
  readonly action: AnomalyAction;
  readonly periodMs: number; // how long a block or lowered limits last; 0 for alert
  readonly limitFactor: number; // lower-limits: limits are multiplied by this (0 < f < 1); 1 otherwise
}

export const ALERT_ONLY: AnomalyResponse = { action: "alert", periodMs: 0, limitFactor: 1 };

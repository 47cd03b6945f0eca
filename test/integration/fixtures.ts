// The policy set the gRPC integration tests run against.
export const FRAUD_POLICY = `
apiVersion: modelgate.io/v1alpha1
kind: AccessPolicy
metadata: { name: fraud-detector, namespace: default }
spec:
  models: ["fraud-detector"]
  routes:
    - { method: POST, path: /retrain, action: train }
  rules:
    - name: data-science-predict
      effect: Allow
      subjects: [{ attributes: { team: data_science } }]
      actions: [predict, read]
      limits: [{ name: minute, requests: 5, per: 1m }]
    - name: bulk-predict
      effect: Allow
      subjects: [{ attributes: { team: bulk } }]
      actions: [predict]
      limits: [{ name: second, requests: 100000, per: 1s }]
    - name: analytics-read
      effect: Allow
      subjects: [{ attributes: { team: analytics } }]
      actions: [read]
    - name: mlops-train
      effect: Allow
      subjects: [{ attributes: { team: mlops } }]
      actions: [train, admin]
    - name: no-admin-in-this-env
      effect: Deny
      subjects: [{}]
      actions: [admin]
      when: 'request.environment == "prod"'
`;

export const FIXTURE_KEYS = {
  scientist: { subject: "dana@example.com", attributes: { team: "data_science", org: "acme" } },
  analyst: { subject: "ari@example.com", attributes: { team: "analytics", org: "acme" } },
  mlops: { subject: "mo@example.com", attributes: { team: "mlops", org: "acme" } },
  bulk: { subject: "svc-bulk", attributes: { team: "bulk", org: "acme" } },
} as const;

// One team, one action: the policy the identity tests share, so the same line must match a
// JWT claim, an API key attribute and a certificate fact.
export const TEAM_POLICY = `
apiVersion: modelgate.io/v1alpha1
kind: AccessPolicy
metadata: { name: fraud-detector, namespace: default }
spec:
  models: ["fraud-detector"]
  rules:
    - name: data-science-predict
      effect: Allow
      subjects: [{ attributes: { team: data_science } }]
      actions: [predict]
`;

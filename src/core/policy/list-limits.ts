// The list sizes the CRD's schema caps (deploy/crds/accesspolicies.modelgate.io.yaml, maxItems).
// The validator enforces the same, so a policy file and a custom resource are accepted alike;
// test/adapters/k8s/crd-schema.test.ts holds the two together.
export const MAX_ITEMS = {
  models: 256,
  routes: 64,
  rules: 128,
  subjects: 64,
  groups: 64,
  actions: 64,
  limits: 16,
} as const;

import { describe, expect, it } from "vitest";
import { apiKeyFailure } from "../../../src/adapters/k8s/apply-api-key.ts";

// The bodies the API server sends (checked against the real one in the cluster tests).
describe("the message of a failed ApiKey request", () => {
  it.each([
    [
      404,
      { kind: "Status", message: "the server could not find the requested resource", reason: "NotFound" },
      /could not find the requested resource \(is the ApiKey CRD installed\? kubectl apply -f deploy\/crds\/apikeys\.modelgate\.io\.yaml\)$/,
    ],
    [
      404,
      { kind: "Status", message: 'namespaces "no-such-ns" not found', reason: "NotFound" },
      /^HTTP 404: namespaces "no-such-ns" not found$/,
    ],
    [
      403,
      { kind: "Status", message: 'apikeys.modelgate.io is forbidden: User "bob" cannot create resource "apikeys"' },
      /^HTTP 403: apikeys.modelgate.io is forbidden/,
    ],
    [500, "not json", /^HTTP 500: HTTP 500$/],
  ])("HTTP %i", (status, body, message) => {
    expect(apiKeyFailure({ status, body })).toMatch(message);
  });
});

// The variables of a `when` expression for one request. Each is built on first use only, so a
// rule that reads `action` never pays for converting headers and query parameters.
import type { CelInput } from "@bufbuild/cel";
import type { Identity } from "../identity/identity.ts";
import type { EvaluationInput } from "./types.ts";

export type CelBindings = Readonly<Record<string, CelInput>>;

export function celBindings(input: EvaluationInput): CelBindings {
  let identity: CelInput | undefined;
  let model: CelInput | undefined;
  let request: CelInput | undefined;
  return {
    get identity(): CelInput {
      return (identity ??= identityValue(input.identity));
    },
    get model(): CelInput {
      return (model ??= { name: input.target.model, version: input.target.version });
    },
    get action(): CelInput {
      return input.target.action;
    },
    get request(): CelInput {
      return (request ??= requestValue(input));
    },
  };
}

function identityValue(identity: Identity): CelInput {
  return {
    method: identity.method,
    subject: identity.subject,
    issuer: identity.issuer,
    groups: identity.groups,
    // A Map, because the CEL runtime does not treat prototype-less objects as maps.
    attributes: new Map(Object.entries(identity.attributes)),
  };
}

function requestValue(input: EvaluationInput): CelInput {
  const request = input.request;
  return {
    method: request.method,
    path: request.path,
    host: request.host,
    headers: request.headers,
    query: request.query,
    environment: input.environment,
    source: request.peer.address,
  };
}

import type { AuthzResponse, HeaderPair } from "../../core/respond.ts";

// AuthzResponse → envoy.service.auth.v3.CheckResponse as a proto-loader plain object: the
// readable statement of what the server answers. The server writes the same message directly
// (check-response-encoder.ts); the encoder's test holds it byte for byte to this object as
// proto-loader serialises it. Every response carries an explicit status: an empty
// CheckResponse would mean OK to Envoy.

const OVERWRITE = "OVERWRITE_IF_EXISTS_OR_ADD";

function headerOptions(pairs: readonly HeaderPair[]) {
  return pairs.map(([key, value]) => ({ header: { key, value }, append_action: OVERWRITE }));
}

// protobufjs ships google.protobuf.Struct/Value pre-parsed with camelCase names, so `keepCase`
// does not apply to them: a `string_value` key would be silently dropped on the wire.
function metadata(fields: Record<string, string>) {
  const out: Record<string, { stringValue: string }> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = { stringValue: v };
  return { fields: out };
}

export function toCheckResponse(response: AuthzResponse, decisionId: string, reason: string): Record<string, unknown> {
  const dynamic_metadata = metadata({ decision_id: decisionId, reason });
  if (response.allowed) {
    return {
      status: { code: 0, message: "" },
      ok_response: {
        headers: headerOptions(response.upstreamHeaders),
        headers_to_remove: [...response.upstreamHeadersToRemove],
        response_headers_to_add: headerOptions(response.responseHeaders),
      },
      dynamic_metadata,
    };
  }
  return {
    status: { code: response.grpcCode, message: reason },
    denied_response: {
      status: { code: response.httpStatus },
      headers: headerOptions(response.headers),
      body: response.body,
    },
    dynamic_metadata,
  };
}

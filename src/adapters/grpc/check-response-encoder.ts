import type { AuthzResponse, HeaderPair } from "../../core/respond.ts";
import { WireWriter } from "./wire-writer.ts";

// AuthzResponse → the wire bytes of envoy.service.auth.v3.CheckResponse, written directly rather
// than through a proto-loader object. The bytes are exactly those protobufjs writes for
// check-response.ts's toCheckResponse (fields in number order, zero values that are set written
// out, map entries in insertion order); test/adapters/grpc/check-response-encoder.test.ts compares
// them. Every response carries an explicit status: an empty CheckResponse would mean OK to Envoy.

const OVERWRITE_IF_EXISTS_OR_ADD = 2; // envoy.config.core.v3.HeaderValueOption.HeaderAppendAction

// repeated envoy.config.core.v3.HeaderValueOption { header { key, value }, append_action }
function headerOptions(w: WireWriter, field: number, pairs: readonly HeaderPair[]): void {
  for (const [key, value] of pairs) {
    w.open(field).open(1).string(1, key).string(2, value).close().tag(3, 0).varint(OVERWRITE_IF_EXISTS_OR_ADD).close();
  }
}

// google.protobuf.Struct { fields: map<string, Value { string_value }> }
function metadataEntry(w: WireWriter, key: string, value: string): void {
  w.open(1).string(1, key).open(2).string(3, value).close().close();
}

export function checkResponseEncoder(): (response: AuthzResponse, decisionId: string, reason: string) => Buffer {
  const w = new WireWriter();
  return (response, decisionId, reason) => {
    if (response.allowed) {
      w.open(1).tag(1, 0).varint(0).string(2, "").close();
      w.open(3);
      headerOptions(w, 2, response.upstreamHeaders);
      for (const name of response.upstreamHeadersToRemove) w.string(5, name);
      headerOptions(w, 6, response.responseHeaders);
      w.close();
    } else {
      w.open(1).tag(1, 0).varint(response.grpcCode).string(2, reason).close();
      w.open(2).open(1).tag(1, 0).varint(response.httpStatus).close();
      headerOptions(w, 2, response.headers);
      w.string(3, response.body).close();
    }
    w.open(4);
    metadataEntry(w, "decision_id", decisionId);
    metadataEntry(w, "reason", reason);
    w.close();
    return w.finish();
  };
}

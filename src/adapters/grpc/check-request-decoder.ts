import type { CheckRequestMessage } from "../../core/request/check-request.ts";
import { CHECK_REQUEST, type FieldSpec, type MessageSpec } from "./check-request-schema.ts";
import {
  enter,
  leave,
  readBytes,
  readerOf,
  readString,
  readUint32,
  RECURSION_LIMIT,
  skipBytes,
  skipInt64,
  skipType,
  type WireReader,
} from "./wire-reader.ts";

// A lean envoy.service.auth.v3.CheckRequest decoder for the gRPC edge: it builds only the fields
// the pipeline reads (check-request-schema.ts), in the shape @grpc/proto-loader's decode gives
// them (keepCase, defaults off, bytes as Buffer), and walks everything else without building it.
// It follows protobufjs's generated decoder step by step (a field is read by its number whatever
// its wire type; a repeated message field replaces the previous one rather than merging; a
// map's last entry wins; unknown fields are skipped), so it accepts and refuses the same bytes;
// test/adapters/grpc/check-request-decoder.test.ts checks that against the reference decode.

type Out = Record<string, unknown>;

// protobufjs decodes a message-valued map entry that lacks its value as null and then fails
// turning the message into an object, unless a later entry with the same key, or a later copy
// of an enclosing message, replaced it. `poisoned` tells the caller whether the message just
// read holds such an entry that nothing replaced; `Poison` tracks it per field while reading.
interface State extends WireReader {
  poisoned: boolean;
}
type Poison = Map<number, boolean | Map<string, boolean>>;

function anyPoisoned(poison: Poison | undefined): boolean {
  if (poison === undefined) return false;
  for (const entry of poison.values()) {
    if (entry === true) return true;
    if (entry !== false) for (const p of entry.values()) if (p) return true;
  }
  return false;
}

function put(out: Out, key: string, value: unknown): void {
  // protobufjs makes "__proto__" an own property instead of assigning the prototype.
  if (key === "__proto__") Object.defineProperty(out, key, { value, enumerable: true, configurable: true, writable: true });
  else out[key] = value;
}

type ScalarKind = Exclude<FieldSpec["kind"], "message" | "repeated" | "map">;

function readScalar(r: State, kind: ScalarKind): unknown {
  switch (kind) {
    case "string":
      return readString(r);
    case "bytes":
      return readBytes(r);
    case "uint32":
      return readUint32(r);
    case "int32":
      return readUint32(r) | 0;
    case "bool":
      return readUint32(r) !== 0;
    case "int64":
      return skipInt64(r);
    case "double":
      return skipBytes(r, 8);
  }
}

// One map entry: key (field 1) and value (field 2), both defaulting to empty (null for a message).
// Returns the poison of a message-valued entry (undefined for string values).
function readMapEntry(r: State, field: FieldSpec, target: Out | undefined, depth: number): [string, boolean] | undefined {
  const outer = enter(r, readUint32(r));
  const end = r.len;
  let key = "";
  let value: unknown = field.type === undefined ? "" : null;
  let poisoned = field.type !== undefined;
  while (r.pos < end) {
    const tag = readUint32(r);
    const number = tag >>> 3;
    if (number === 1) key = readString(r);
    else if (number === 2 && field.type === undefined) value = readString(r);
    else if (number === 2) {
      value = readMessage(r, readUint32(r), (field.type as () => MessageSpec)(), false, depth + 1);
      poisoned = r.poisoned;
    } else skipType(r, tag & 7, depth);
  }
  leave(r, outer);
  if (target !== undefined) put(target, key, value);
  return field.type === undefined ? undefined : [key, poisoned];
}

// Reads one field into `out` (when kept); returns the poison of a message value, if any.
function readField(
  r: State,
  number: number,
  field: FieldSpec,
  out: Out | undefined,
  poison: Poison | undefined,
  depth: number,
): Poison | undefined {
  const keep = out === undefined ? undefined : field.keep;
  switch (field.kind) {
    case "message":
    case "repeated": {
      const value = readMessage(r, readUint32(r), (field.type as () => MessageSpec)(), keep !== undefined, depth + 1);
      if (keep !== undefined && field.kind === "message") (out as Out)[keep] = value;
      if (keep !== undefined && field.kind === "repeated") (((out as Out)[keep] ??= []) as unknown[]).push(value);
      if (!r.poisoned && poison === undefined) return undefined;
      const map = poison ?? new Map();
      map.set(number, field.kind === "repeated" ? map.get(number) === true || r.poisoned : r.poisoned);
      return map;
    }
    case "map": {
      const target = keep === undefined ? undefined : (((out as Out)[keep] ??= {}) as Out);
      const entry = readMapEntry(r, field, target, depth);
      if (entry === undefined) return poison;
      const map = poison ?? new Map();
      const keys = map.get(number);
      if (keys instanceof Map) keys.set(entry[0], entry[1]);
      else map.set(number, new Map([entry]));
      return map;
    }
    case "string":
    case "bytes":
    case "uint32":
    case "int32":
    case "bool":
    case "int64":
    case "double": {
      const value = readScalar(r, field.kind);
      if (keep !== undefined) (out as Out)[keep] = value;
      return poison;
    }
  }
}

// Reads a message of `length` bytes (undefined: the rest of the buffer); builds it when `build`.
function readMessage(r: State, length: number | undefined, spec: MessageSpec, build: boolean, depth: number): Out | undefined {
  if (depth > RECURSION_LIMIT) throw new Error("maximum nesting depth exceeded");
  const outer = length === undefined ? undefined : enter(r, length);
  const end = r.len;
  const out: Out | undefined = build ? {} : undefined;
  let poison: Poison | undefined;
  while (r.pos < end) {
    const tag = readUint32(r);
    const number = tag >>> 3;
    const field = spec[number];
    if (field === undefined) skipType(r, tag & 7, depth);
    else poison = readField(r, number, field, out, poison, depth);
  }
  if (outer !== undefined) leave(r, outer);
  r.poisoned = anyPoisoned(poison);
  return out;
}

export function decodeCheckRequest(bytes: Buffer): CheckRequestMessage {
  const state: State = { ...readerOf(bytes), poisoned: false };
  const decoded = readMessage(state, undefined, CHECK_REQUEST, true, 0);
  if (state.poisoned) throw new TypeError("a message-valued map entry has no value");
  return decoded as CheckRequestMessage;
}

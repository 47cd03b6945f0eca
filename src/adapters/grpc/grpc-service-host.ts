import * as grpc from "@grpc/grpc-js";
import { EventEmitter } from "node:events";
import type { ServerHttp2Stream } from "node:http2";
import { GrpcMessageReader } from "./grpc-message-reader.ts";
import { replyMessage, replyStatus, ResponseStream } from "./grpc-reply.ts";
import { framingStatus, GrpcStatus } from "./grpc-status.ts";
import type { GrpcRoute } from "./http2-grpc-server.ts";

// Services written for grpc-js (grpc.health.v1.Health from grpc-health-check, Envoy's Access Log
// Service) served on the node:http2 edge: `addService` takes the same service definition and
// implementation grpc-js's Server takes, and each call gets the subset of a grpc-js server call
// those handlers use (request, data/end/cancelled events, write/end, the unary callback). Unary,
// server-streaming and client-streaming methods; these paths are not hot, so messages go through
// the definition's own (proto-loader) serializers.

export interface ServiceRegistrar {
  addService(service: grpc.ServiceDefinition, implementation: grpc.UntypedServiceImplementation): void;
}

type Handler = (call: HostedCall, callback?: grpc.sendUnaryData<unknown>) => void;

const MESSAGE_CAP_BYTES = 4 * 1024 * 1024; // grpc-js's default receive limit

// What a grpc-js handler sees of its call.
class HostedCall extends EventEmitter {
  request: unknown = undefined;
  cancelled = false;
  readonly metadata = new grpc.Metadata();

  private readonly stream: ServerHttp2Stream;
  private readonly path: string;
  private readonly deadline: number;
  private readonly serialize: (value: unknown) => Buffer;
  private responses: ResponseStream | undefined;

  constructor(stream: ServerHttp2Stream, path: string, deadline: number, serialize: (value: unknown) => Buffer) {
    super();
    this.stream = stream;
    this.path = path;
    this.deadline = deadline;
    this.serialize = serialize;
  }

  getPeer(): string {
    const socket = this.stream.session?.socket;
    return socket?.remoteAddress === undefined ? "unix" : `${socket.remoteAddress}:${socket.remotePort}`;
  }
  getDeadline(): number {
    return this.deadline;
  }
  getPath(): string {
    return this.path;
  }
  sendMetadata(): void {}
  write(value: unknown): boolean {
    (this.responses ??= new ResponseStream(this.stream)).write(this.serialize(value));
    return true;
  }
  end(): void {
    (this.responses ??= new ResponseStream(this.stream)).endStream(GrpcStatus.OK, "");
  }
}

function unaryCallback(stream: ServerHttp2Stream, serialize: (value: unknown) => Buffer): grpc.sendUnaryData<unknown> {
  return (error, value) => {
    if (error !== null && error !== undefined)
      replyStatus(stream, error.code ?? GrpcStatus.INTERNAL, error.details ?? ("message" in error ? error.message : ""));
    else replyMessage(stream, serialize(value));
  };
}

function hostedRoute(definition: grpc.MethodDefinition<unknown, unknown>, handler: Handler): GrpcRoute {
  const serialize = definition.responseSerialize as (value: unknown) => Buffer;
  return (stream, remainingMs) => {
    const call = new HostedCall(stream, definition.path, Date.now() + remainingMs, serialize);
    const callback = definition.responseStream ? undefined : unaryCallback(stream, serialize);
    let parseFailed = false;
    const messages: unknown[] = [];
    const reader = new GrpcMessageReader(MESSAGE_CAP_BYTES, MESSAGE_CAP_BYTES, (bytes) => {
      try {
        const message = definition.requestDeserialize(bytes as Buffer);
        if (definition.requestStream) call.emit("data", message);
        else messages.push(message);
      } catch {
        parseFailed = true;
      }
    });
    const failed = (code: number, message: string): void => {
      replyStatus(stream, code, message);
      if (definition.requestStream && call.listenerCount("error") > 0) call.emit("error", Object.assign(new Error(message), { code }));
    };
    stream.on("data", (chunk: Buffer) => {
      const error = reader.push(chunk);
      if (error !== undefined) failed(...framingStatus(error, "request message", MESSAGE_CAP_BYTES));
      else if (parseFailed) failed(GrpcStatus.INTERNAL, "could not parse the request message");
    });
    stream.once("end", () => {
      const error = reader.end();
      if (error !== undefined || parseFailed) return;
      if (definition.requestStream) {
        call.emit("end");
        return;
      }
      if (messages.length !== 1) {
        replyStatus(stream, GrpcStatus.INTERNAL, `a unary request carries one message, not ${messages.length}`);
        return;
      }
      call.request = messages[0];
      handler(call, callback);
    });
    stream.once("close", () => {
      call.cancelled = true;
      call.emit("cancelled");
    });
    if (definition.requestStream) handler(call, callback);
  };
}

// Collects the routes of the services added; `routes()` hands them to the edge.
export class GrpcServiceHost implements ServiceRegistrar {
  private readonly added = new Map<string, GrpcRoute>();

  addService(service: grpc.ServiceDefinition, implementation: grpc.UntypedServiceImplementation): void {
    for (const [name, definition] of Object.entries(service)) {
      const handler = (implementation[name] ?? implementation[definition.originalName ?? ""]) as Handler | undefined;
      if (handler === undefined) continue; // grpc-js answers UNIMPLEMENTED for it, and so does the edge
      if (definition.requestStream && definition.responseStream)
        throw new Error(`${definition.path}: bidirectional streaming is not supported`);
      this.added.set(definition.path, hostedRoute(definition, handler));
    }
  }

  routes(): ReadonlyMap<string, GrpcRoute> {
    return this.added;
  }
}

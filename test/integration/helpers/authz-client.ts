import * as grpc from "@grpc/grpc-js";
import { loadAuthorizationProtos } from "../../../src/adapters/grpc/envoy-protos.ts";

// A real grpc-js client over the official Envoy protos, as Envoy's ext_authz filter calls us.

export interface CheckResponse {
  status?: { code?: number; message?: string };
  ok_response?: {
    headers?: { header: { key: string; value: string }; append_action?: string }[];
    headers_to_remove?: string[];
    response_headers_to_add?: { header: { key: string; value: string }; append_action?: string }[];
  };
  denied_response?: {
    status?: { code?: string | number };
    headers?: { header: { key: string; value: string }; append_action?: string }[];
    body?: string;
  };
  dynamic_metadata?: unknown;
}

export interface AuthzClient {
  check(request: unknown, timeoutMs?: number): Promise<CheckResponse>;
  close(): void;
}

// `options` are grpc-js channel options (e.g. a local subchannel pool, for a connection of its own).
export function connectAuthz(target: string, options: grpc.ChannelOptions = {}): AuthzClient {
  const { Client } = loadAuthorizationProtos();
  const client = new Client(target, grpc.credentials.createInsecure(), options) as unknown as grpc.Client & {
    Check(req: unknown, options: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r: CheckResponse) => void): void;
  };
  return {
    check: (request, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        client.Check(request, { deadline: Date.now() + timeoutMs }, (error, response) => (error ? reject(error) : resolve(response)));
      }),
    close: () => client.close(),
  };
}

// "allowed", or the reason code of the problem+json body of a denial.
export function reasonOf(response: CheckResponse): string {
  return response.status?.code === 0 ? "allowed" : (JSON.parse(response.denied_response?.body ?? "{}") as { reason: string }).reason;
}

export function headerMap(pairs: { header: { key: string; value: string } }[] | undefined): Map<string, string> {
  return new Map((pairs ?? []).map((p) => [p.header.key, p.header.value]));
}

// HttpStatus.code is an enum: proto-loader with enums: String yields its name (e.g. "Forbidden").
export const HTTP_STATUS_NAMES: Readonly<Record<number, string>> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  429: "TooManyRequests",
  503: "ServiceUnavailable",
};

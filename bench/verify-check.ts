import * as grpc from "@grpc/grpc-js";
import { loadAuthorizationProtos } from "../src/adapters/grpc/envoy-protos.ts";

// ghz counts gRPC statuses, not CheckResponse.status, so a server that denied every timed request
// would look fast. Before a system is timed, one real Check with the bench key must be allowed
// and one with a wrong key denied (for the no-op handler, which allows everything, only the first).

export function checkStatus(port: number, request: unknown): Promise<number> {
  const { Client } = loadAuthorizationProtos();
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  type Callback = (error: Error | null, response: { status?: { code?: number } }) => void;
  const check = client["Check"] as (request: unknown, options: grpc.CallOptions, callback: Callback) => void;
  return new Promise<number>((resolve, reject) => {
    check.call(client, request, { deadline: Date.now() + 5000 }, (error, response) => {
      client.close();
      if (error !== null) reject(error);
      else resolve(response.status?.code ?? 0);
    });
  });
}

// Retries until the server answers (OPA has no "serving" line to wait for).
export async function waitForCheck(port: number, request: unknown, timeoutMs: number): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await checkStatus(port, request);
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export async function verifyDecisions(name: string, port: number, allowed: unknown, denied: unknown | undefined): Promise<string> {
  const ok = await waitForCheck(port, allowed, 30_000);
  if (ok !== 0) throw new Error(`${name}: the timed request was not allowed (CheckResponse status ${ok})`);
  if (denied === undefined) return `${name}: timed request ALLOWED`;
  const no = await checkStatus(port, denied);
  if (no === 0) throw new Error(`${name}: a wrong API key was allowed`);
  return `${name}: timed request ALLOWED, wrong key DENIED (status ${no})`;
}

import { err, ok, type Result } from "../../core/result.ts";

// GET a JSON document from a configured URL (a JWKS or an OIDC discovery document), bounded in
// every direction: a timeout covering the whole exchange, a size cap on the body, and no
// redirects (a redirect is how a trusted URL turns into an attacker-chosen one), no cookies.

export interface FetchJsonOptions {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly fetch?: typeof fetch;
}

export const DEFAULT_MAX_DOCUMENT_BYTES = 512 * 1024;

export async function fetchJson(url: string, options: FetchJsonOptions): Promise<Result<unknown, string>> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, {
      redirect: "error",
      signal,
      headers: { accept: "application/json" },
      credentials: "omit",
    });
  } catch (error) {
    return err(describeFetchError(error, options.timeoutMs));
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    return err(`HTTP ${response.status}`);
  }
  const body = await readLimited(response, options.maxBytes).catch((error: unknown) => err(describeFetchError(error, options.timeoutMs)));
  if (!body.ok) return body;
  try {
    return ok(JSON.parse(body.value) as unknown);
  } catch {
    return err("the response is not valid JSON");
  }
}

async function readLimited(response: Response, maxBytes: number): Promise<Result<string, string>> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    return err(`the response is larger than ${maxBytes} bytes`);
  }
  const reader = response.body?.getReader();
  if (reader === undefined) return ok("");
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (let chunk = await reader.read(); chunk.done !== true; chunk = await reader.read()) {
    total += chunk.value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return err(`the response is larger than ${maxBytes} bytes`);
    }
    chunks.push(chunk.value);
  }
  return ok(Buffer.concat(chunks).toString("utf8"));
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return `timed out after ${timeoutMs} ms`;
  const cause = error instanceof Error ? error.cause : undefined;
  const message = cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error);
  if (/redirect/i.test(message)) return "the server answered with a redirect, which is never followed";
  return message;
}

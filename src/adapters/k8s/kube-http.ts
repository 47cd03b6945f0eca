import { request as httpRequest, type IncomingMessage, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";
import { createInterface } from "node:readline";
import type { KubeConfig } from "@kubernetes/client-node";
import { err, ok, type Result } from "../../core/result.ts";

// The Kubernetes API over node:https, with credentials, CA and agent from client-node's
// KubeConfig (kubeconfig files, in-cluster service-account tokens, exec plugins). Watches are
// read here rather than through client-node's Watch class because that class aborts any stream
// idle for 30 s (a private, fixed timer), while a quiet watch is legitimately silent until the
// server closes it at its timeoutSeconds; stall detection belongs to the list-watch loop, with
// its own injected clock.

export interface KubeReply {
  readonly status: number;
  readonly body: unknown;
}

export interface KubeFailure {
  readonly status: number | undefined; // HTTP status (or a watch ERROR's code); undefined for network errors
  readonly message: string;
}

export interface StreamHandlers {
  onOpen(): void;
  onLine(line: string): void;
  onEnd(failure: KubeFailure | undefined): void; // called once; undefined = the server closed cleanly
}

export interface KubeStream {
  close(): void; // ends the stream without calling onEnd
}

export interface KubeHttp {
  json(method: string, path: string, body?: unknown, options?: JsonOptions): Promise<Result<KubeReply, KubeFailure>>;
  stream(path: string, handlers: StreamHandlers): KubeStream;
}

export interface JsonOptions {
  readonly contentType?: string;
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export function createKubeHttp(kc: KubeConfig): KubeHttp {
  const server = kc.getCurrentCluster()?.server ?? "";
  return {
    json: (method, path, body, options = {}) => sendJson(kc, server, method, path, body, options),
    stream: (path, handlers) => openStream(kc, server, path, handlers),
  };
}

async function requestOptions(kc: KubeConfig, server: string, method: string): Promise<RequestOptions> {
  const opts: RequestOptions & { ca?: unknown } = { method, headers: { accept: "application/json" } };
  await kc.applyToHTTPSOptions(opts);
  if (server.startsWith("http:")) delete opts.agent; // client-node always makes an https agent
  return opts;
}

function send(server: string, path: string, opts: RequestOptions, onResponse: (res: IncomingMessage) => void) {
  const url = `${server}${path}`;
  return url.startsWith("http:") ? httpRequest(url, opts, onResponse) : httpsRequest(url, opts, onResponse);
}

async function sendJson(
  kc: KubeConfig,
  server: string,
  method: string,
  path: string,
  body: unknown,
  options: JsonOptions,
): Promise<Result<KubeReply, KubeFailure>> {
  let opts: RequestOptions;
  try {
    opts = await requestOptions(kc, server, method);
  } catch (error) {
    return err({ status: undefined, message: `credentials: ${messageOf(error)}` });
  }
  const payload = body === undefined ? undefined : JSON.stringify(body);
  if (payload !== undefined) opts.headers = { ...opts.headers, "content-type": options.contentType ?? "application/json" };
  return new Promise((resolve) => {
    const req = send(server, path, opts, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", (error) => resolve(err({ status: undefined, message: messageOf(error) })));
      res.on("end", () => resolve(ok({ status: res.statusCode ?? 0, body: parseJson(Buffer.concat(chunks).toString("utf8")) })));
    });
    req.setTimeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, () =>
      req.destroy(new Error(`no answer within ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`)),
    );
    req.on("error", (error) => resolve(err({ status: undefined, message: `${method} ${path}: ${messageOf(error)}` })));
    req.end(payload);
  });
}

function openStream(kc: KubeConfig, server: string, path: string, handlers: StreamHandlers): KubeStream {
  let closed = false;
  let destroy: (() => void) | undefined;
  const end = (failure: KubeFailure | undefined): void => {
    if (closed) return;
    closed = true;
    destroy?.();
    handlers.onEnd(failure);
  };
  requestOptions(kc, server, "GET").then(
    (opts) => {
      if (closed) return;
      let response: IncomingMessage | undefined;
      const req = send(server, path, opts, (res) => {
        response = res;
        res.on("error", (error) => end({ status: undefined, message: messageOf(error) }));
        if (res.statusCode !== 200) {
          // readAll never rejects (a broken body reads as ""), and end reports through the handlers.
          void readAll(res).then((text) => end({ status: res.statusCode, message: statusMessage(text, res.statusCode) }));
          return;
        }
        handlers.onOpen();
        const lines = createInterface({ input: res, crlfDelay: Infinity });
        lines.on("line", (line) => {
          if (!closed && line.trim() !== "") handlers.onLine(line);
        });
        lines.on("close", () => end(res.complete ? undefined : { status: undefined, message: "the watch stream was cut" }));
      });
      destroy = () => {
        req.destroy();
        response?.destroy(); // a response already streaming ends here too, its error handled above
      };
      req.on("error", (error) => end({ status: undefined, message: messageOf(error) }));
      req.end();
    },
    (error: unknown) => end({ status: undefined, message: `credentials: ${messageOf(error)}` }),
  );
  return {
    close: () => {
      closed = true;
      destroy?.();
    },
  };
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    res.on("data", (chunk: Buffer) => chunks.push(chunk));
    res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    res.on("error", () => resolve(""));
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// A Kubernetes Status body carries the readable reason; fall back to the HTTP status.
export function statusMessage(body: unknown, status: number | undefined): string {
  const parsed = typeof body === "string" ? parseJson(body) : body;
  if (typeof parsed === "object" && parsed !== null && typeof (parsed as { message?: unknown }).message === "string") {
    return (parsed as { message: string }).message;
  }
  return `HTTP ${status ?? "error"}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { BootstrapRenderer } from "../../core/inject/envoy-mode.ts";
import type { InjectorConfig } from "../../core/inject/injector-config.ts";
import type { Logger } from "../log/json-logger.ts";
import { answerAdmissionReview } from "./admission-review.ts";
import { readTlsPair, watchTlsPair, type TlsWatcher } from "./tls-files.ts";
import type { WebhookMetrics } from "./webhook-metrics.ts";
import { splitHostPort } from "../../core/listen-address.ts";

// HTTPS for the API server: POST /inject with an AdmissionReview, answered from the pure
// planner. Bodies are capped; anything else gets 404/405/413.

export const INJECT_PATH = "/inject";
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface WebhookServerOptions {
  readonly listen: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly tlsPollMs: number;
  readonly injector: InjectorConfig;
  readonly render: BootstrapRenderer;
  readonly metrics: WebhookMetrics;
  readonly logger: Logger;
}

export interface WebhookServer {
  readonly port: number;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

async function handle(req: IncomingMessage, res: ServerResponse, o: WebhookServerOptions): Promise<void> {
  if ((req.url ?? "").split("?")[0] !== INJECT_PATH) return void res.writeHead(404).end();
  if (req.method !== "POST") return void res.writeHead(405, { allow: "POST" }).end();
  const started = process.hrtime.bigint();
  const body = await readBody(req);
  if (body === undefined) return json(res, 413, { message: `AdmissionReview larger than ${MAX_BODY_BYTES} bytes` });
  let review: unknown;
  try {
    review = JSON.parse(body.toString("utf8"));
  } catch {
    o.metrics.record({ result: "invalid" }, 0);
    return json(res, 400, { message: "the body is not JSON" });
  }
  const answer = answerAdmissionReview(review, o.injector, o.render);
  o.metrics.record(answer.outcome, Number(process.hrtime.bigint() - started) / 1e9);
  if (answer.outcome.result === "rejected") o.logger.info("pod refused", { reason: answer.outcome.reason, namespace: namespaceOf(review) });
  json(res, answer.status, answer.body);
}

function namespaceOf(review: unknown): unknown {
  return (review as { request?: { namespace?: unknown } }).request?.namespace;
}

export function startWebhookServer(o: WebhookServerOptions): Promise<WebhookServer> {
  const first = readTlsPair(o.certFile, o.keyFile);
  if (!first.ok) return Promise.reject(new Error(`cannot load the serving certificate ${o.certFile} / ${o.keyFile}: ${first.error}`));
  const server: Server = createServer({ cert: first.pair.cert, key: first.pair.key, minVersion: "TLSv1.2" }, (req, res) => {
    handle(req, res, o).catch((error: unknown) => {
      o.logger.error("webhook request failed", { error });
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  const watcher: TlsWatcher = watchTlsPair(o.certFile, o.keyFile, first.pair, o.tlsPollMs, (result) => {
    o.metrics.tlsReloaded(result.ok);
    if (result.ok) {
      server.setSecureContext(result.pair);
      o.logger.info("serving certificate reloaded", { certFile: o.certFile });
    } else {
      o.logger.error("serving certificate not reloaded; the previous one stays", { error: result.error });
    }
  });
  const { host, port } = splitHostPort(o.listen);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve({
        port: typeof address === "object" && address !== null ? address.port : port,
        close: () => {
          watcher.stop();
          return new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          });
        },
      });
    });
  });
}

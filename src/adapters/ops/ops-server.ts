import { createServer, type Server } from "node:http";
import type { Registry } from "prom-client";
import { splitHostPort } from "../../core/listen-address.ts";

// The operations port: /metrics for Prometheus, /healthz (the process answers) and /readyz
// (what `ready` says: src/wiring/readiness.ts). Kept off the gRPC port so probes never touch
// the hot path.

export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

export interface OpsOptions {
  readonly listen: string;
  readonly registry: Registry;
  readonly ready: () => { ready: boolean; detail: string };
}

export function startOpsServer(options: OpsOptions): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
    } else if (path === "/metrics") {
      options.registry.metrics().then(
        (body) => res.writeHead(200, { "content-type": options.registry.contentType }).end(body),
        () => res.writeHead(500).end(),
      );
    } else if (path === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
    } else if (path === "/readyz") {
      const { ready, detail } = options.ready();
      res.writeHead(ready ? 200 : 503, { "content-type": "text/plain" }).end(`${detail}\n`);
    } else {
      res.writeHead(404).end();
    }
  });
  const { host, port } = splitHostPort(options.listen);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve({
        port: typeof address === "object" && address !== null ? address.port : port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

import type { Result } from "../result.ts";

// The Envoy bootstrap a pod needs, in the renderer's own terms (src/envoy-config/
// sidecar-options.ts has the same shape). The core does not import the renderer; the
// composition root passes it in as a BootstrapRenderer.

export interface EnvoyProbeRoute {
  readonly name: string;
  readonly path: string;
  readonly modelPath: string;
}

export interface EnvoyMode {
  readonly listenPort: number;
  readonly modelPort: number;
  readonly modelProtocol: "http1" | "http2";
  readonly authzSocketPath: string;
  readonly authzTimeoutMs: number;
  readonly maxRequestBytes: number;
  readonly adminPort: number;
  readonly tls?: { readonly certFile: string; readonly keyFile: string; readonly caFile: string; readonly requireClientCert: boolean };
  readonly probes: { readonly port: number; readonly routes: readonly EnvoyProbeRoute[] };
  readonly accessLog: boolean;
}

// The bootstrap as one JSON text (Envoy's --config-yaml accepts JSON), or why it cannot be rendered.
export type BootstrapRenderer = (mode: EnvoyMode) => Result<string, string>;

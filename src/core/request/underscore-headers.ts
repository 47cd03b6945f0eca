import type { NormalizedRequest } from "./normalized-request.ts";

// Header names with underscores are a smuggling channel: CGI, WSGI and several proxies fold `_`
// and `-` together, so `x_api_key` or `x_modelgate_subject` can reach the model server as
// `x-api-key` / `x-modelgate-subject` while Envoy and modelgate saw a different header. The
// shipped Envoy rejects them all, except when the stack routes on Ray Serve's
// `serve_multiplexed_model_id`: Envoy can only allow or reject underscores globally, so the
// sidecar then allows them and modelgate refuses every one but the configured routing header.

// The first header name with an underscore other than `allowed`, or undefined.
export function underscoreHeader(req: NormalizedRequest, allowed: string | undefined): string | undefined {
  for (const name of req.headers.keys()) {
    if (name.includes("_") && name !== allowed) return name;
  }
  return undefined;
}

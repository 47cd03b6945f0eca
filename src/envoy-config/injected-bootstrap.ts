import type { BootstrapRenderer } from "../core/inject/envoy-mode.ts";
import { err, ok } from "../core/result.ts";
import { renderSidecarBootstrap } from "./render-sidecar.ts";
import { checkSidecarOptions } from "./sidecar-options.ts";

// The injector's BootstrapRenderer: the sidecar renderer, as one compact JSON text for
// Envoy's --config-yaml. Options are checked first, so a bad combination is a refusal, not
// an Envoy that crash-loops.
export const renderInjectedBootstrap: BootstrapRenderer = (mode) => {
  const issues = checkSidecarOptions(mode);
  if (issues.length > 0) return err(issues.map((i) => `${i.path}: ${i.message}`).join("; "));
  return ok(JSON.stringify(renderSidecarBootstrap(mode)));
};

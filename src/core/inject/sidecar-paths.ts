// Paths shared by the injected pod spec (probes) and the Envoy bootstrap (routes, lint).

// Envoy answers this itself on both listeners: its startup and readiness probe.
export const ENVOY_READINESS_PATH = "/healthz/envoy";

// Rewritten kubelet probes live under this prefix, so the lint can tell them from model routes.
export const PROBE_PATH_PREFIX = "/modelgate-probe/";

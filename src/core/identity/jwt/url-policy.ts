// Which URLs we fetch keys and discovery documents from. Only configured URLs are ever fetched
// (never one named by a token), over https unless the host is loopback (a local IdP, the tests)
// or the issuer explicitly allows plain http (an in-cluster IdP without TLS).
export function urlProblem(text: string, allowInsecureHttp: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "must be an absolute URL";
  }
  if (url.username !== "" || url.password !== "") return "must not carry credentials";
  if (url.hash !== "") return "must not have a fragment";
  if (url.protocol === "https:") return undefined;
  if (url.protocol !== "http:") return "must be an https URL";
  if (allowInsecureHttp || isLoopback(url.hostname)) return undefined;
  return "must be an https URL (plain http only for loopback hosts, or with allowInsecureHttp: true)";
}

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

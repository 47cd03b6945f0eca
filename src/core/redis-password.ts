// MODELGATE_REDIS_PASSWORD (from a Secret) replaces the password in a Redis URL, so the URL in
// a ConfigMap or in MODELGATE_REDIS_URL need not carry it. Only the userinfo changes; a URL
// without a scheme://host shape is returned as it is, for its own parser to report.

const URL_PARTS = /^([a-z+]+:\/\/)(?:([^@/:]*)(?::[^@/]*)?@)?(.*)$/;

export function withRedisPassword(url: string, password: string | undefined): string {
  if (password === undefined || password === "" || url === "") return url;
  const m = URL_PARTS.exec(url);
  if (m === null) return url;
  return `${m[1]}${m[2] ?? ""}:${encodeURIComponent(password)}@${m[3]}`;
}

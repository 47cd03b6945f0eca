import { withRedisPassword } from "../core/redis-password.ts";

// The Redis URL of a section that may name its own (audit, anomaly): its own when set, else
// MODELGATE_REDIS_URL, with MODELGATE_REDIS_PASSWORD put in either way.
export function redisSectionUrl(sectionUrl: string, env: Readonly<Record<string, string | undefined>>): string {
  return withRedisPassword(sectionUrl === "" ? (env["MODELGATE_REDIS_URL"] ?? "") : sectionUrl, env["MODELGATE_REDIS_PASSWORD"]);
}

import { isAbsolute, resolve } from "node:path";
import { AUDIT_DEFAULTS, parseAuditConfig, resolveAuditConfig, type AuditConfig } from "../core/audit/audit-config.ts";
import type { Issue } from "../core/result.ts";

// `audit:` in the configuration file (see README "Audit log"). Key and log file paths are made
// absolute: relative to the configuration file, or to the working directory when they come
// from MODELGATE_AUDIT_FILE.

function absolute(path: string, baseDir: string): string {
  return path === "" || isAbsolute(path) ? path : resolve(baseDir, path);
}

export function parseAuditSection(value: unknown, env: Readonly<Record<string, string | undefined>>, baseDir: string): { config: AuditConfig; issues: Issue[] } {
  const parsed = parseAuditConfig(value ?? {}, "audit");
  if (!parsed.ok) return { config: AUDIT_DEFAULTS, issues: parsed.error };
  const fromFile: AuditConfig = {
    ...parsed.value,
    hmacKeyFile: absolute(parsed.value.hmacKeyFile, baseDir),
    signingKeyFile: absolute(parsed.value.signingKeyFile, baseDir),
    file: { ...parsed.value.file, path: absolute(parsed.value.file.path, baseDir) },
  };
  const resolved = resolveAuditConfig(fromFile, env, "audit");
  if (!resolved.ok) return { config: AUDIT_DEFAULTS, issues: resolved.error };
  // The file's own paths are absolute by now; only one from the environment can still be relative.
  const file = { ...resolved.value.file, path: absolute(resolved.value.file.path, resolve()) };
  return { config: { ...resolved.value, file }, issues: [] };
}

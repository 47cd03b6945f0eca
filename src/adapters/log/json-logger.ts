import type { LogLevel } from "../../core/log-level.ts";

// Structured logs: one JSON object per line. JSON.stringify escapes CR/LF and quotes, so a
// hostile value can never split or forge a line.

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  enabled(level: LogLevel): boolean;
}

const RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

function errorFields(fields: LogFields | undefined): LogFields | undefined {
  if (fields === undefined) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    out[k] = v instanceof Error ? { name: v.name, message: v.message, stack: v.stack } : v;
  }
  return out;
}

export function createJsonLogger(minimum: LogLevel, write: (line: string) => void, now: () => number = Date.now): Logger {
  const log = (level: LogLevel, message: string, fields?: LogFields): void => {
    if (RANK[level] < RANK[minimum]) return;
    write(`${JSON.stringify({ time: new Date(now()).toISOString(), level, msg: message, ...errorFields(fields) })}\n`);
  };
  return {
    debug: (m, f) => log("debug", m, f),
    info: (m, f) => log("info", m, f),
    warn: (m, f) => log("warn", m, f),
    error: (m, f) => log("error", m, f),
    enabled: (level) => RANK[level] >= RANK[minimum],
  };
}

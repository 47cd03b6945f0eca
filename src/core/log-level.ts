// How much the logger writes; chosen by configuration, obeyed by the logger adapter.
export type LogLevel = "debug" | "info" | "warn" | "error";
export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

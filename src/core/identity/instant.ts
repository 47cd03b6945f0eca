// Strict RFC 3339 instants for key records. Date.parse alone accepts 2026-02-30 (rolls over to
// March) and 24:00; an expiry that silently moves is worse than a rejected record.
const INSTANT =
  /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

// Epoch milliseconds, or undefined when `text` is not a full date-time with an explicit zone.
export function parseInstant(text: string): number | undefined {
  const match = INSTANT.exec(text);
  if (match === null) return undefined;
  const [, year, month, day] = match;
  if (!isCalendarDate(Number(year), Number(month), Number(day))) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

// "2026-12-31" alone, read as 00:00 UTC that day; undefined when not a real calendar date.
export function parseDateOnly(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match === null) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return isCalendarDate(year, month, day) ? Date.UTC(year, month - 1, day) : undefined;
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

import type { Readable } from "node:stream";
import { looksLikeAuditRecord, parseAuditLine, type ParsedRecord } from "../../core/audit/parse-record.ts";

// Audit records from several files (replicas, rotated files) in time order, as they happened,
// streamed: each file is in time order already, so a k-way merge on the heads needs memory for
// one record per file, whatever the size of the log.

export interface TimedRecord {
  readonly file: string;
  readonly line: number;
  readonly time: number;
  readonly record: ParsedRecord;
}

export interface ReadStats {
  lines: number;
  records: number;
  skipped: number; // not audit records (with mixed)
  invalid: number; // audit-looking lines that do not parse
  firstInvalid: string | undefined; // "file:line: why"
}

export interface MergeSource {
  readonly name: string;
  readonly stream: Readable;
}

// Records are at most 8 KiB: a longer line is cut, and then fails to parse.
const MAX_LINE = 1024 * 1024;

async function* lines(stream: Readable): AsyncGenerator<string> {
  stream.setEncoding("utf8");
  let carry = "";
  for await (const chunk of stream as AsyncIterable<string>) {
    const parts = (carry + chunk).split("\n");
    carry = parts.pop() ?? "";
    for (const text of parts) yield text.slice(0, MAX_LINE);
    if (carry.length > MAX_LINE) carry = carry.slice(0, MAX_LINE);
  }
  if (carry !== "") yield carry;
}

async function* records(source: MergeSource, mixed: boolean, stats: ReadStats): AsyncGenerator<TimedRecord> {
  let lineNo = 0;
  for await (const text of lines(source.stream)) {
    lineNo += 1;
    stats.lines += 1;
    if (text.trim() === "" || (mixed && !looksLikeAuditRecord(text))) {
      stats.skipped += 1;
      continue;
    }
    const parsed = parseAuditLine(text);
    const time = parsed.ok ? Date.parse(parsed.value.time) : Number.NaN;
    if (!parsed.ok || !Number.isFinite(time)) {
      stats.invalid += 1;
      stats.firstInvalid ??= `${source.name}:${lineNo}: ${parsed.ok ? "time is not a timestamp" : parsed.error}`;
      continue;
    }
    stats.records += 1;
    yield { file: source.name, line: lineNo, time, record: parsed.value };
  }
}

export function emptyStats(): ReadStats {
  return { lines: 0, records: 0, skipped: 0, invalid: 0, firstInvalid: undefined };
}

export async function* timeMergedRecords(sources: readonly MergeSource[], mixed: boolean, stats: ReadStats): AsyncGenerator<TimedRecord> {
  const iterators = sources.map((s) => records(s, mixed, stats));
  const heads: (TimedRecord | undefined)[] = await Promise.all(iterators.map(async (it) => (await it.next()).value ?? undefined));
  for (;;) {
    let pick = -1;
    heads.forEach((h, i) => {
      if (h !== undefined && (pick < 0 || h.time < (heads[pick] as TimedRecord).time)) pick = i;
    });
    if (pick < 0) return;
    yield heads[pick] as TimedRecord;
    heads[pick] = (await (iterators[pick] as AsyncGenerator<TimedRecord>).next()).value ?? undefined;
  }
}

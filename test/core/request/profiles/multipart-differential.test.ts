// The same uploads through our reader and through independent parsers (undici, python-multipart
// as Starlette drives it, Go's net/http): wherever a parser that accepts the body reads `model` or `stream`
// differently from us, we must have refused the body.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMultipartBody } from "../../../../src/core/request/profiles/openai-body.ts";
import { upload } from "./multipart-generated.ts";
import { allReadings, buildGoOracle, ORACLES, type Oracle, type Reading, type Upload } from "./multipart-oracles.ts";
import { bodyBytes, SPELLINGS, uploadRequest } from "./multipart-spellings.ts";

type Ours = { readonly model: string | undefined; readonly stream: boolean } | "refused";

function ours(u: Upload): Ours {
  const read = readMultipartBody(uploadRequest(u.contentType, u.bytes));
  return read.ok ? read.value : "refused";
}

// FastAPI takes a field's last value and a Node server its first: every value must match ours.
function agrees(our: Exclude<Ours, "refused">, reading: Extract<Reading, { ok: true }>): boolean {
  const values = (field: string): (string | null)[] => reading.fields.filter(([name]) => name === field).map(([, value]) => value);
  const models = values("model");
  const streams = values("stream");
  const modelAgrees =
    our.model === undefined
      ? models.length === 0 || (models.length === 1 && models[0] === "")
      : models.length === 1 && models[0] === our.model;
  const streamAgrees = our.stream
    ? streams.length === 1 && streams[0] === "true"
    : streams.length === 0 || (streams.length === 1 && streams[0] === "false");
  return modelAgrees && streamAgrees;
}

// What each parser read of model and stream, for comparing parsers with each other.
function view(reading: Reading): string {
  return reading.ok ? JSON.stringify(reading.fields.filter(([name]) => name === "model" || name === "stream")) : "failed";
}

interface Tally {
  accepted: number;
  acceptedBy: Record<Oracle, number>;
  parsersDisagree: number;
  problems: string[];
}

async function differential(uploads: readonly Upload[], goOracle: string): Promise<Tally> {
  const readings = await allReadings(uploads, goOracle);
  const acceptedBy = Object.fromEntries(ORACLES.map((oracle) => [oracle, 0])) as Record<Oracle, number>;
  const tally: Tally = { accepted: 0, acceptedBy, parsersDisagree: 0, problems: [] };
  uploads.forEach((u, i) => {
    const our = ours(u);
    const byOracle = readings[i] ?? new Map<Oracle, Reading>();
    const views = new Set([...byOracle.values()].filter((r) => r.ok).map(view));
    if (views.size > 1) tally.parsersDisagree++;
    if (our !== "refused") tally.accepted++;
    for (const oracle of ORACLES) {
      const reading = byOracle.get(oracle);
      if (reading?.ok !== true) continue;
      tally.acceptedBy[oracle]++;
      if (our !== "refused" && !agrees(our, reading)) {
        tally.problems.push(
          `${oracle} read ${view(reading)}, we read ${JSON.stringify(our)}: ${u.contentType} ${JSON.stringify(new TextDecoder().decode(u.bytes))}`,
        );
      }
    }
  });
  return tally;
}

describe("multipart: our reader against undici, python-multipart and Go", () => {
  let directory = "";
  let goOracle = "";
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), "multipart-oracle-"));
    goOracle = buildGoOracle(directory);
  }, 300_000);
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it("refuses every hand-written spelling another parser reads differently", async () => {
    const tally = await differential(
      SPELLINGS.map((s) => ({ contentType: s.contentType, bytes: bodyBytes(s.body) })),
      goOracle,
    );
    expect(tally.problems).toEqual([]);
    // The table holds cases the parsers themselves split on (the bypasses this guards against).
    expect(tally.parsersDisagree).toBeGreaterThan(5);
  });

  it("refuses every generated body another parser reads differently", async () => {
    const uploads = fc.sample(upload, { numRuns: 4000, seed: 7578 });
    const tally = await differential(uploads, goOracle);
    expect(tally.problems.slice(0, 10)).toEqual([]);
    // Not vacuous: we accept a good share, the parsers accept many, and they split on some.
    expect(tally.accepted).toBeGreaterThan(uploads.length / 20);
    for (const oracle of ORACLES) expect(tally.acceptedBy[oracle], oracle).toBeGreaterThan(uploads.length / 10);
    expect(tally.parsersDisagree).toBeGreaterThan(uploads.length / 50);
  }, 120_000);
});

// Independent multipart/form-data parsers the differential test compares ours with: undici (Node's
// own Request/Response.formData(), what a Node server reads), python-multipart driven the way
// Starlette drives it (what vLLM, SGLang and the other FastAPI servers read) in two
// header-parameter flavours (see multipart-oracle.py), and Go's net/http + mime/multipart (what
// Go servers such as LocalAI read; multipart-oracle-go/).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

export interface Upload {
  readonly contentType: string;
  readonly bytes: Uint8Array;
}

// The fields named `model` and `stream`, in order; null stands for a file part.
export type Reading =
  { readonly ok: true; readonly fields: readonly (readonly [string, string | null])[] } | { readonly ok: false; readonly error: string };

export const ORACLES = [
  "undici",
  "python-multipart (regex parameters)",
  "python-multipart (email parameters)",
  "go mime/multipart",
] as const;
export type Oracle = (typeof ORACLES)[number];

export async function undiciReading(upload: Upload): Promise<Reading> {
  try {
    const form = await new Response(upload.bytes, { headers: { "content-type": upload.contentType } }).formData();
    return { ok: true, fields: [...form].map(([name, value]) => [name, typeof value === "string" ? value : null] as const) };
  } catch (error) {
    return { ok: false, error: String(error) };
  }
}

// Debian's python3-multipart lives in /usr/bin/python3's dist-packages, which a pyenv or venv
// python3 earlier on PATH does not see.
const PYTHON = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
const SCRIPT = join(import.meta.dirname, "multipart-oracle.py");

// One process per oracle for the whole batch: one JSON line in, one out, per upload.
function lineOracle(command: string, args: readonly string[], uploads: readonly Upload[], hint: string): readonly unknown[] {
  const input = uploads
    .map((u) => JSON.stringify({ contentType: u.contentType, body: Buffer.from(u.bytes).toString("base64") }))
    .join("\n");
  const run = spawnSync(command, args, { input: `${input}\n`, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${hint}): ${run.error?.message ?? run.stderr}`);
  const lines = run.stdout.trim().split("\n");
  if (lines.length !== uploads.length) throw new Error(`${command} answered ${lines.length} of ${uploads.length} bodies`);
  return lines.map((line) => JSON.parse(line) as unknown);
}

function pythonReadings(uploads: readonly Upload[]): readonly { readonly regex: Reading; readonly email: Reading }[] {
  return lineOracle(PYTHON, [SCRIPT], uploads, "is python3-multipart installed? apt-get install -y python3-multipart") as {
    regex: Reading;
    email: Reading;
  }[];
}

const GO = existsSync("/usr/local/go/bin/go") ? "/usr/local/go/bin/go" : "go";

// Builds the Go oracle into `directory` and returns the binary's path.
export function buildGoOracle(directory: string): string {
  const binary = join(directory, "multipart-oracle-go");
  const build = spawnSync(GO, ["build", "-o", binary, "."], {
    cwd: join(import.meta.dirname, "multipart-oracle-go"),
    encoding: "utf8",
    env: { ...process.env, GOWORK: "off", GOFLAGS: "-mod=mod", GOTOOLCHAIN: "local" },
  });
  if (build.status !== 0) throw new Error(`go build of the multipart oracle failed: ${build.error?.message ?? build.stderr}`);
  return binary;
}

export async function allReadings(uploads: readonly Upload[], goOracle: string): Promise<readonly ReadonlyMap<Oracle, Reading>[]> {
  const python = pythonReadings(uploads);
  const go = lineOracle(goOracle, [], uploads, "the Go oracle") as Reading[];
  return Promise.all(
    uploads.map(async (upload, i) => {
      const readings = python[i];
      const goReading = go[i];
      if (readings === undefined || goReading === undefined) throw new Error("missing oracle reading");
      return new Map<Oracle, Reading>([
        ["undici", await undiciReading(upload)],
        ["python-multipart (regex parameters)", readings.regex],
        ["python-multipart (email parameters)", readings.email],
        ["go mime/multipart", goReading],
      ]);
    }),
  );
}

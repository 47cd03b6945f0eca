// Uploads encoded by real clients on this machine, not written from memory: curl's `-F` (sent to
// a loopback server that keeps the bytes) and Python requests (urllib3's encoder, what most
// Python SDK code sends). Each must be read as the client meant it, and as undici reads it. The
// other client rows of multipart-spellings.ts (OkHttp, Apache HttpClient, .NET) have no encoder
// here and stay hand-written.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readMultipartBody } from "../../../../src/core/request/profiles/openai-body.ts";
import { undiciReading, type Upload } from "./multipart-oracles.ts";
import { uploadRequest } from "./multipart-spellings.ts";

const PYTHON = "/usr/bin/python3";
const AUDIO = Buffer.from("RIFF\x00\x01\xff\r\n--", "latin1");
const scratch = mkdtempSync(join(tmpdir(), "multipart-clients-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// One POST from curl to a loopback server; resolves with what arrived.
async function curlUpload(args: readonly string[]): Promise<Upload> {
  const server = createServer();
  const arrived = new Promise<Upload>((resolve) => {
    server.on("request", (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        res.end();
        resolve({ contentType: req.headers["content-type"] ?? "", bytes: new Uint8Array(Buffer.concat(chunks)) });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  const curl = spawn("curl", ["-sS", "-o", "/dev/null", ...args, `http://127.0.0.1:${port}/v1/audio/transcriptions`], { cwd: scratch });
  const exited = new Promise<number | null>((resolve) => curl.on("exit", resolve));
  try {
    const upload = await arrived;
    expect(await exited).toBe(0);
    return upload;
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

// requests builds the body without sending it: the bytes come back on stdout, base64.
function requestsUpload(fields: Record<string, string>): Upload {
  const script = `
import base64, json, sys, requests
fields = json.loads(sys.argv[1])
prepared = requests.Request("POST", "http://x/v1/audio/transcriptions", data=fields,
    files={"file": ("a.wav", base64.b64decode(sys.argv[2]), "audio/wav")}).prepare()
print(json.dumps({"contentType": prepared.headers["Content-Type"], "body": base64.b64encode(prepared.body).decode()}))
`;
  const run = spawnSync(PYTHON, ["-c", script, JSON.stringify(fields), AUDIO.toString("base64")], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`python3 requests: ${run.stderr}`);
  const out = JSON.parse(run.stdout) as { contentType: string; body: string };
  return { contentType: out.contentType, bytes: new Uint8Array(Buffer.from(out.body, "base64")) };
}

function ours(upload: Upload): unknown {
  const read = readMultipartBody(uploadRequest(upload.contentType, upload.bytes));
  return read.ok ? read.value : read.error.reason;
}

describe("uploads encoded by real clients", () => {
  writeFileSync(join(scratch, "a.wav"), AUDIO);

  it.each<[string, () => Promise<Upload> | Upload, { model: string | undefined; stream: boolean }]>([
    ["curl -F", () => curlUpload(["-F", "model=whisper-1", "-F", "file=@a.wav;type=audio/wav"]), { model: "whisper-1", stream: false }],
    [
      "curl -F with stream, the file first",
      () => curlUpload(["-F", "file=@a.wav", "-F", "model=whisper-1", "-F", "stream=true"]),
      { model: "whisper-1", stream: true },
    ],
    [
      "curl --form-string",
      () => curlUpload(["--form-string", "model=meta/llama;x", "-F", "file=@a.wav"]),
      { model: "meta/llama;x", stream: false },
    ],
    ["python requests", () => requestsUpload({ model: "whisper-1", stream: "true" }), { model: "whisper-1", stream: true }],
    ["python requests, a non-ASCII model", () => requestsUpload({ model: "whisper-\u00e9" }), { model: "whisper-\u00e9", stream: false }],
  ])("%s", async (_name, encode, expected) => {
    const upload = await encode();
    expect(ours(upload)).toEqual(expected);
    const undici = await undiciReading(upload);
    expect(undici.ok && undici.fields.filter(([name]) => name !== "file")).toEqual([
      ...(expected.model === undefined ? [] : [["model", expected.model]]),
      ...(expected.stream ? [["stream", "true"]] : []),
    ]);
  });
});

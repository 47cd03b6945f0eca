import * as grpc from "@grpc/grpc-js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadAuthorizationProtos } from "../src/adapters/grpc/envoy-protos.ts";
import { benchFixture, checkRequest } from "./check-fixture.ts";
import { runGhz, saturation, WARM_UP_SECONDS } from "./ghz.ts";
import { corePinning } from "./core-pinning.ts";
import { imageNodeFlags } from "./image-node-flags.ts";
import { spawnServer } from "./spawn-server.ts";
import { median } from "./stats.ts";

// How much of the load generator's time each server's answers cost, at saturation, as
// `npm run bench` drives it (ghz on core 1, 64 calls on 4 connections, the server on core 0).
// Three servers: the no-op handler; the same no-op answering modelgate's own answer bytes for
// the bench request (taken from a real modelgate first); modelgate. The second isolates what
// decoding modelgate's larger answer costs ghz from what modelgate's latency costs it.
// Usage: node bench/generator-cost.ts [seconds, default 8] [rounds, default 3]

const [seconds = 8, rounds = 3] = process.argv.slice(2).map(Number);
const root = join(import.meta.dirname, "..");

function rawAnswer(port: number, request: unknown): Promise<Buffer> {
  const check = loadAuthorizationProtos().service["Check"] as grpc.MethodDefinition<unknown, unknown>;
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      check.path,
      check.requestSerialize,
      (bytes: Buffer) => bytes,
      request,
      (error, bytes) => {
        client.close();
        if (error !== null || bytes === undefined) reject(error ?? new Error("no answer"));
        else resolve(bytes);
      },
    );
  });
}

const dir = mkdtempSync(join(tmpdir(), "modelgate-gencost-"));
try {
  const fixture = benchFixture(dir);
  const data = checkRequest(fixture.key);
  const modelgate = [...imageNodeFlags(root), join(root, "src/cli/modelgate.ts"), "serve", "--config", fixture.config];
  const probe = await spawnServer(modelgate);
  const answer = await rawAnswer(probe.port, data).finally(() => probe.stop());
  const systems: [string, string[], NodeJS.ProcessEnv][] = [
    ["no-op handler (answers status OK only)", [join(root, "bench/noop-server.ts")], process.env],
    [
      `no-op handler answering modelgate's ${answer.length}-byte answer`,
      [join(root, "bench/noop-server.ts")],
      { ...process.env, NOOP_ANSWER_HEX: answer.toString("hex") },
    ],
    ["modelgate, API key, in-process limiter, audit to file", modelgate, process.env],
  ];
  const figures = new Map<string, { rps: number; ghz: number; server: number }[]>();
  const pin = corePinning();
  for (let r = 0; r < rounds; r += 1) {
    for (const [name, args, env] of systems) {
      const server = await spawnServer(args, { env, prefix: pin.server });
      try {
        const target = `127.0.0.1:${server.port}`;
        await runGhz(target, data, saturation(WARM_UP_SECONDS), pin.ghz);
        const cpu0 = server.cpuMicros() ?? Number.NaN;
        const run = await runGhz(target, data, saturation(seconds), pin.ghz);
        const cpu = (server.cpuMicros() ?? Number.NaN) - cpu0;
        figures.set(name, [
          ...(figures.get(name) ?? []),
          { rps: run.rps, ghz: run.generatorCpuMicros / run.count, server: cpu / run.count },
        ]);
      } finally {
        await server.stop();
      }
    }
  }
  process.stdout.write(`medians of ${rounds} rounds of ${seconds} s after ${WARM_UP_SECONDS} s of warm-up\n`);
  process.stdout.write(
    "| server | rps | ghz CPU µs / call | ghz busy (CPU × rps) | server CPU µs / call | server busy |\n|---|---|---|---|---|---|\n",
  );
  for (const [name, runs] of figures) {
    const of = (pick: (f: { rps: number; ghz: number; server: number }) => number) => median(runs.map(pick));
    const [rps, ghz, server] = [of((f) => f.rps), of((f) => f.ghz), of((f) => f.server)];
    process.stdout.write(
      `| ${name} | ${rps.toFixed(0)} | ${ghz.toFixed(0)} | ${((ghz * rps) / 1e4).toFixed(0)} % | ${server.toFixed(0)} | ${((server * rps) / 1e4).toFixed(0)} % |\n`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchFixture, checkRequest } from "./check-fixture.ts";
import { runGhz, saturation, WARM_UP_SECONDS } from "./ghz.ts";
import { corePinning } from "./core-pinning.ts";
import { imageNodeFlags } from "./image-node-flags.ts";
import { spawnServer } from "./spawn-server.ts";
const root = join(import.meta.dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "mg-conc-"));
const fixture = benchFixture(dir);
const data = checkRequest(fixture.key);
const pin = corePinning();
const which = process.argv[2] ?? "modelgate";
const redis = process.argv[3];
const args = which === "noop" ? [join(root, "bench/noop-server.ts")] : [...imageNodeFlags(root), join(root, "src/cli/modelgate.ts"), "serve", "--config", fixture.configFor(redis)];
const server = await spawnServer(args, { prefix: pin.server });
const target = `127.0.0.1:${server.port}`;
await runGhz(target, data, saturation(WARM_UP_SECONDS), pin.ghz);
for (const c of (process.env["CS"] ?? "16,32,64,128,256,64").split(",")) {
  for (const conns of (process.env["CONNS"] ?? "1,4,8").split(",")) {
    const a = saturation(6).map((x, i, all) => (all[i - 1] === "-c" ? c : all[i - 1] === "--connections" ? conns : x));
    const r = await runGhz(target, data, a, pin.ghz);
    console.log(`${which} -c ${c} --connections ${conns}: ${Math.round(r.rps)} rps`);
  }
}
await server.stop();

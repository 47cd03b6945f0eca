import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { entrypointNodeFlags, imageNodeFlags } from "../../bench/image-node-flags.ts";
import { REPO, deployTool, run } from "../chart/deploy-tools.ts";

// deploy/image/Dockerfile: linted (dockerfile-utils: hadolint is neither in Debian nor on npm),
// and the properties the chart and README rely on. The build itself runs in .ci/run
// (test/harness/image-check.sh: buildah on stand-in bases, too slow for every `npm test`).

const DOCKERFILE = join(REPO, "deploy/image/Dockerfile");
const text = readFileSync(DOCKERFILE, "utf8");
const instructions = text.split("\n").filter((l) => /^[A-Z]+\s/.test(l));

describe("deploy/image/Dockerfile", () => {
  it("passes the Dockerfile linter, which refuses a broken one", () => {
    const lint = run(deployTool("dockerfile-utils"), ["lint", DOCKERFILE]);
    expect(lint.code, lint.stdout + lint.stderr).toBe(0);
    const broken = run(deployTool("dockerfile-utils"), ["lint", "/dev/stdin"], { input: "FROM scratch\nCOPYY a b\n" });
    expect(broken.code).not.toBe(0);
  });

  it("is multi-stage: production dependencies in a build stage, a distroless runtime without a shell", () => {
    const froms = instructions.filter((l) => l.startsWith("FROM "));
    expect(froms).toHaveLength(2);
    expect(text).toMatch(/ARG RUNTIME_BASE=gcr\.io\/distroless\/nodejs24-debian12:nonroot/);
    expect(text).toMatch(/npm", "ci", "--omit=dev"/);
    expect(instructions.filter((l) => l.startsWith("RUN ")).every((l) => l.startsWith('RUN ["'))).toBe(true); // exec form: no shell needed
  });

  it("runs as the non-root uid the chart's securityContext expects, with a health check and the modelgate entrypoint", () => {
    expect(instructions).toContain("USER 65532:65532");
    expect(text).toMatch(/HEALTHCHECK [\s\S]*CMD \["\/nodejs\/bin\/node", "-e", "fetch\('http:\/\/127\.0\.0\.1:9090\/healthz'\)/);
    expect(instructions).toContainEqual(
      expect.stringMatching(/^ENTRYPOINT \["\/nodejs\/bin\/node", ("--[^"]+", )*"\/app\/src\/cli\/modelgate\.ts"\]$/),
    );
    const chartSecurity = readFileSync(join(REPO, "charts/modelgate/templates/webhook-deployment.yaml"), "utf8");
    expect(chartSecurity).toContain("runAsUser: 65532");
  });

  it("fixes V8's young generation with NODE_OPTIONS that Node accepts, and the bench starts modelgate with the same flags", () => {
    expect(instructions).toContain('ENV NODE_OPTIONS="--max-semi-space-size=16 --v8-pool-size=1"');
    expect(imageNodeFlags(REPO).slice(0, 2)).toEqual(["--max-semi-space-size=16", "--v8-pool-size=1"]);
    // Node refuses a V8 flag it does not allow in NODE_OPTIONS, and the container would not start.
    const started = spawnSync(process.execPath, ["-e", "process.stdout.write('started')"], {
      env: { ...process.env, NODE_OPTIONS: "--max-semi-space-size=16 --v8-pool-size=1" },
      encoding: "utf8",
    });
    expect(started.stderr).toBe("");
    expect(started.stdout).toBe("started");
  });

  it("gives the garbage collector's flags on the entrypoint, where Node accepts them, and the bench uses them too", () => {
    const flags = entrypointNodeFlags(text);
    expect(flags).toEqual(["--heap-growing-percent=50", "--initial-old-space-size=64", "--no-allocation-site-pretenuring"]);
    expect(imageNodeFlags(REPO)).toEqual(["--max-semi-space-size=16", "--v8-pool-size=1", ...flags]);
    // They are refused in NODE_OPTIONS (why they are not there) ...
    const refused = spawnSync(process.execPath, ["-e", "0"], { env: { ...process.env, NODE_OPTIONS: flags.join(" ") }, encoding: "utf8" });
    expect(refused.stderr).toMatch(/is not allowed in NODE_OPTIONS/);
    // ... and taken on the command line, where a misspelled one would stop the container.
    const start = (args: string[]) => spawnSync(process.execPath, [...args, "-e", "process.stdout.write('started')"], { encoding: "utf8" });
    const started = start(flags);
    expect(started.stderr).toBe("");
    expect(started.stdout).toBe("started");
    expect(start(["--heap-growing-percentage=50"]).stderr).toMatch(/bad option/);
  });

  it("sends only what the image copies into the build context, and never the try-it keys", () => {
    const ignore = readFileSync(join(REPO, ".dockerignore"), "utf8")
      .split("\n")
      .filter((l) => l !== "" && !l.startsWith("#"));
    expect(ignore[0]).toBe("*");
    expect(ignore).toContain("deploy/examples/try-key-*.txt");
    for (const copied of [...text.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => (m[1] ?? "").split(" "))) {
      expect(
        ignore.some((l) => l === `!${copied}` || l === `!${copied}/`),
        `${copied} is excluded by .dockerignore`,
      ).toBe(true);
    }
  });
});

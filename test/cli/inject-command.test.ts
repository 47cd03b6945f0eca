import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { runInject } from "../../src/cli/inject-command.ts";

// `modelgate inject` on workloads and multi-document streams, and --check.

const dir = mkdtempSync(join(tmpdir(), "modelgate-inject-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function template(indent: string): string {
  return [
    "",
    "metadata:",
    "  labels: { app: fraud }",
    '  annotations: { modelgate.io/inject: "true", modelgate.io/model-port: "8080" }',
    "spec:",
    "  containers: [{ name: model, image: example/model:1, ports: [{ name: http, containerPort: 8080 }] }]",
  ]
    .map((line) => (line === "" ? "" : `${indent}${line}`))
    .join("\n");
}

const STREAM = `apiVersion: apps/v1
kind: Deployment
metadata: { name: fraud, namespace: ml }
spec:
  selector: { matchLabels: { app: fraud } }
  template:${template("    ")}
---
apiVersion: v1
kind: Service
metadata: { name: fraud, namespace: ml }
spec: { selector: { app: fraud }, ports: [{ port: 80, targetPort: http }] }
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: nightly, namespace: ml }
spec:
  schedule: "0 1 * * *"
  jobTemplate:
    spec:
      template:${template("        ")}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: plain, namespace: ml }
spec:
  selector: { matchLabels: { app: plain } }
  template:
    metadata: { labels: { app: plain } }
    spec: { containers: [{ name: c, image: example/c:1 }] }
`;

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runInject(args, { stdout: (s) => void (out += s), stderr: (s) => void (err += s), env: {}, cwd: dir });
  return { code, out, err };
}

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

type Doc = { kind: string; spec: Record<string, unknown> };

describe("modelgate inject", () => {
  it("injects each workload's pod template and copies the rest", async () => {
    const r = await run(["-f", write("stream.yaml", STREAM)]);
    expect(r.code).toBe(0);
    const docs = parseAllDocuments(r.out).map((d) => d.toJS() as Doc);
    expect(docs.map((d) => d.kind)).toEqual(["Deployment", "Service", "CronJob", "StatefulSet"]);
    const deployment = docs[0]!.spec["template"] as {
      metadata: { labels: Record<string, string> };
      spec: { initContainers: { name: string }[] };
    };
    expect(deployment.metadata.labels["modelgate.io/injected"]).toBe("true");
    expect(deployment.spec.initContainers.map((c) => c.name)).toEqual(["modelgate", "modelgate-envoy"]);
    const cron = docs[2]!.spec as { jobTemplate: { spec: { template: { spec: { initContainers: unknown[] } } } } };
    expect(cron.jobTemplate.spec.template.spec.initContainers).toHaveLength(2);
    expect((docs[3]!.spec["template"] as { spec: { initContainers?: unknown } }).spec.initContainers).toBeUndefined();
    expect(docs[1]).toEqual(parseAllDocuments(STREAM)[1]!.toJS());
  });

  it("is idempotent: injecting its own output changes nothing", async () => {
    const once = (await run(["-f", write("a.yaml", STREAM)])).out;
    const twice = await run(["-f", write("b.yaml", once)]);
    expect(twice.code).toBe(0);
    expect(twice.out).toBe(once);
  });

  it("writes -o FILE", async () => {
    const out = join(dir, "out.yaml");
    expect((await run(["-f", write("c.yaml", STREAM), "-o", out])).code).toBe(0);
    expect(readFileSync(out, "utf8")).toContain("modelgate-envoy");
  });

  it("--check passes a manifest that would be injected", async () => {
    const r = await run(["--check", "-f", write("d.yaml", STREAM)]);
    expect(r).toMatchObject({ code: 0, out: "" });
    expect(r.err).toContain("2 workload(s) would be injected");
  });

  it("--check fails with the reason when a manifest would be refused", async () => {
    const bad = STREAM.replace('modelgate.io/model-port: "8080"', 'modelgate.io/model-port: "http"');
    const r = await run(["--check", "-f", write("e.yaml", bad)]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("document 1 (Deployment fraud)");
    expect(r.err).toContain("modelgate.io/model-port");
    expect(r.out).toBe("");
  });

  it("without --check a refused manifest writes nothing and fails", async () => {
    const bad = STREAM.replace('modelgate.io/inject: "true"', 'modelgate.io/inject: "yes"');
    const r = await run(["-f", write("f.yaml", bad)]);
    expect(r).toMatchObject({ code: 1, out: "" });
  });

  it("reports invalid YAML and a missing file", async () => {
    expect((await run(["-f", write("g.yaml", "a: [")])).err).toContain("is not valid YAML");
    expect((await run(["-f", join(dir, "nope.yaml")])).code).toBe(1);
    expect((await run([])).code).toBe(2);
  });
});

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { EXAMPLE_YAML_PATH, renderExampleYaml } from "./example-yaml.ts";

// Entry point: `node src/envoy-config/write-example.ts` regenerates deploy/envoy/sidecar-envoy.yaml.

const target = join(import.meta.dirname, "..", "..", EXAMPLE_YAML_PATH);
writeFileSync(target, renderExampleYaml());
process.stdout.write(`wrote ${target}\n`);

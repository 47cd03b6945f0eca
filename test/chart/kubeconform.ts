import { deployTool, run } from "./deploy-tools.ts";
import { kubeSchemaDir } from "./kube-schemas.ts";

// kubeconform -strict over multi-document YAML, with the schemas generated from the harness's
// Kubernetes version. Kinds listed in `skip` (cert-manager, Prometheus Operator, our CRs) are
// checked elsewhere by their own schemas.

export const THIRD_PARTY_KINDS = ["Certificate", "Issuer", "ServiceMonitor", "PodMonitor", "PrometheusRule"] as const;

export function kubeconform(text: string, skip: readonly string[] = THIRD_PARTY_KINDS): { code: number; output: string } {
  const schemas = kubeSchemaDir();
  const result = run(
    deployTool("kubeconform"),
    [
      "-strict",
      "-summary",
      "-output",
      "text",
      "-schema-location",
      `${schemas}/{{.ResourceKind}}{{.KindSuffix}}.json`,
      "-skip",
      skip.join(","),
      "-",
    ],
    { input: text },
  );
  return { code: result.code, output: result.stdout + result.stderr };
}

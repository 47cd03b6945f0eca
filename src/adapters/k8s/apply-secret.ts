import type { Result } from "../../core/result.ts";
import { err, ok } from "../../core/result.ts";
import { DEFAULT_KUBERNETES_CONFIG } from "./k8s-config.ts";
import { createKubeHttp, statusMessage } from "./kube-http.ts";
import { loadKubeConfig } from "./kube-sources.ts";

// `modelgate keys create --namespace N --apply`: creates the key's Secret with the current
// kubeconfig context (or `kubeconfig`). Create only: a key id is new by construction, so an
// existing Secret of that name is an error, never overwritten.
export async function applyKeySecret(manifest: Record<string, unknown>, namespace: string, kubeconfig: string | undefined): Promise<Result<string, string>> {
  const kc = loadKubeConfig({ ...DEFAULT_KUBERNETES_CONFIG, kubeconfig });
  if (!kc.ok) return err(kc.error.map((i) => i.message).join("; "));
  const reply = await createKubeHttp(kc.value).json("POST", `/api/v1/namespaces/${namespace}/secrets?fieldValidation=Strict`, manifest);
  if (!reply.ok) return err(reply.error.message);
  if (reply.value.status !== 201) return err(`HTTP ${reply.value.status}: ${statusMessage(reply.value.body, reply.value.status)}`);
  const name = (manifest["metadata"] as { name?: string } | undefined)?.name ?? "";
  return ok(`secret/${name} created in namespace ${namespace}`);
}

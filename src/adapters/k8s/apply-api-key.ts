import type { Result } from "../../core/result.ts";
import { err, ok } from "../../core/result.ts";
import { apiKeysPath } from "./api-key-resource.ts";
import { DEFAULT_KUBERNETES_CONFIG } from "../../core/kubernetes-config.ts";
import type { KubeHttp, KubeReply } from "./kube-http.ts";
import { createKubeHttp, statusMessage } from "./kube-http.ts";
import { loadKubeConfig } from "./kube-collections.ts";

// `modelgate keys create --namespace N --apply`: creates the key's ApiKey with the current
// kubeconfig context (or `kubeconfig`). Create only: a key id is new by construction, so an
// existing ApiKey of that name is an error, never overwritten.
export async function applyApiKey(
  manifest: Record<string, unknown>,
  namespace: string,
  kubeconfig: string | undefined,
): Promise<Result<string, string>> {
  const http = adminHttp(kubeconfig);
  if (!http.ok) return http;
  const reply = await http.value.json("POST", `${apiKeysPath(namespace)}?fieldValidation=Strict`, manifest);
  if (!reply.ok) return err(reply.error.message);
  if (reply.value.status !== 201) return err(apiKeyFailure(reply.value));
  const name = (manifest["metadata"] as { name?: string } | undefined)?.name ?? "";
  return ok(`apikey/${name} created in namespace ${namespace}`);
}

// The kubeconfig of the person running the command (not the sidecar's).
export function adminHttp(kubeconfig: string | undefined): Result<KubeHttp, string> {
  const kc = loadKubeConfig({ ...DEFAULT_KUBERNETES_CONFIG, kubeconfig });
  if (!kc.ok) return err(kc.error.map((i) => i.message).join("; "));
  return ok(createKubeHttp(kc.value));
}

// A 404 without a Status naming the namespace means the resource type is missing: say which.
export function apiKeyFailure(reply: KubeReply): string {
  const message = statusMessage(reply.body, reply.status);
  const crdMissing = reply.status === 404 && !/namespaces? "/.test(message);
  return `HTTP ${reply.status}: ${message}${crdMissing ? " (is the ApiKey CRD installed? kubectl apply -f deploy/crds/apikeys.modelgate.io.yaml)" : ""}`;
}

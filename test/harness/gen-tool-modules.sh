#!/usr/bin/env bash
# Regenerates the two Go tool modules that build-kube.sh compiles. Run it only to
# move to another Kubernetes or etcd release; its output (go.mod + go.sum in
# kube-tools/ and etcd-tools/) is committed so builds are reproducible.
#
#   test/harness/gen-tool-modules.sh [k8s-version] [etcd-version]
#
# k8s.io/kubernetes requires every staging module at v0.0.0 and replaces them with
# ./staging/src paths, which a dependent module cannot see; so each of those
# replace lines is turned into one pinning the staging module to v0.X.Y, the
# release that matches v1.X.Y. The list is read from the tag's own go.mod so a
# release that adds a staging module needs no edit here.
set -euo pipefail

K8S_VERSION="${1:-v1.34.4}"
ETCD_VERSION="${2:-v3.6.14}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0

staging_version="v0.${K8S_VERSION#v1.}"
go_line() { sed -n 's/^go \([0-9.]*\)$/\1/p' "$1" | head -n1; }
godebug_line() { sed -n 's/^godebug \(.*\)$/\1/p' "$1" | head -n1; }

gen_kube() {
  local dir="$HERE/kube-tools" upstream
  upstream="$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)",*/\1/p')"
  echo "kube-tools: k8s.io/kubernetes $K8S_VERSION, staging modules at $staging_version (from $upstream)"
  rm -f "$dir/go.mod" "$dir/go.sum"
  (
    cd "$dir"
    go mod init modelgate.invalid/kube-tools >/dev/null 2>&1
    go mod edit -go="$(go_line "$upstream")"
    # A dependency's godebug lines are ignored, so mirror upstream's here.
    local gd; gd="$(godebug_line "$upstream")"
    [[ -n "$gd" ]] && go mod edit -godebug="$gd"
    sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/src/.*#\1#p' "$upstream" | while read -r mod; do
      go mod edit -replace="$mod=$mod@$staging_version"
    done
    go get -tool "k8s.io/kubernetes/cmd/kube-apiserver@$K8S_VERSION"
    go mod tidy
  )
}

gen_etcd() {
  local dir="$HERE/etcd-tools"
  echo "etcd-tools: go.etcd.io/etcd/server/v3 $ETCD_VERSION"
  rm -f "$dir/go.mod" "$dir/go.sum"
  (
    cd "$dir"
    go mod init modelgate.invalid/etcd-tools >/dev/null 2>&1
    local upstream
    upstream="$(go mod download -json "go.etcd.io/etcd/server/v3@$ETCD_VERSION" | sed -n 's/.*"GoMod": "\(.*\)",*/\1/p')"
    go mod edit -go="$(go_line "$upstream")"
    go get -tool "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
    go mod tidy
  )
}

gen_kube
gen_etcd

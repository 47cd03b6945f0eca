#!/usr/bin/env bash
# What `npm run bench` needs beyond node_modules: ghz (required) and OPA-Envoy (skipped with a
# line when Go is absent; the bench then runs without it). Both are cached in the tools cache.
set -uo pipefail
here=$(dirname "$0")
export PATH=$PATH:/usr/local/go/bin
command -v redis-server >/dev/null || { echo "redis-server not found (Debian package redis-server)"; exit 1; }
bash "$here/install-ghz.sh" || exit 1
bash "$here/install-opa-envoy.sh"
status=$?
[[ $status -eq 0 || $status -eq 2 ]] || echo "opa-envoy: build failed (status $status); the bench runs without it"
exit 0

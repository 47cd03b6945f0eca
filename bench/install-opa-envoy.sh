#!/usr/bin/env bash
# Builds OPA-Envoy (opa-envoy-plugin v0.46.1, the one version the Go module proxy reachable here
# serves) into the tools cache, outside the repository. Its module zip omits the vendor tree the
# release builds with, so the module is copied to a writable directory and built with -mod=mod
# (dependencies from go.sum). Takes minutes on two cores; the binary is cached.
set -euo pipefail
version=v0.46.1
tools=${MODELGATE_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/modelgate-tools}
bin="$tools/opa-envoy-$version/opa-envoy-plugin"
if [[ -x "$bin" ]]; then echo "opa-envoy: $bin"; exit 0; fi
if ! command -v go >/dev/null; then echo "opa-envoy: skipped (no Go toolchain on PATH)"; exit 2; fi
module=github.com/open-policy-agent/opa-envoy-plugin
dir=$(cd / && go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
src="$tools/src/opa-envoy-plugin-$version"
rm -rf "$src" && mkdir -p "$(dirname "$src")" && cp -r "$dir" "$src" && chmod -R u+w "$src" && rm -rf "$src/vendor"
(cd "$src" && GOFLAGS=-mod=mod go build -o "$bin" ./cmd/opa-envoy-plugin)
echo "opa-envoy: $bin"

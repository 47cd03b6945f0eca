#!/usr/bin/env bash
# Builds ghz from the Go module proxy into the tools cache (outside the repository).
set -euo pipefail
tools=${MODELGATE_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/modelgate-tools}
if [[ -x "$tools/bin/ghz" ]]; then echo "ghz: $tools/bin/ghz"; exit 0; fi
mkdir -p "$tools/bin"
GOBIN="$tools/bin" go install github.com/bojand/ghz/cmd/ghz@v0.121.0
echo "ghz: $tools/bin/ghz"

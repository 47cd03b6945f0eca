#!/usr/bin/env bash
# Builds deploy/image/Dockerfile, UNCHANGED, without a Docker daemon (buildah, chroot isolation,
# vfs storage), then runs `modelgate check` on the embedded example inside the built image as its
# non-root user. Run by .ci/run on every CI run (as root).
#
# The base images are STAND-INS: no container registry is reachable here, so
# docker.io/library/node:24-bookworm-slim and gcr.io/distroless/nodejs24-debian12:nonroot are
# assembled locally from the Node 24 binary of the npm `node@24` package, the glibc libraries it
# links, npm from the npm registry (build stage only), /etc/passwd with uid 65532 and the
# machine's CA bundle, and tagged under the real names. What this proves: the Dockerfile's
# stages, COPY lists, `npm ci --omit=dev`, user, entrypoint and health check work together; not
# that the real bases are byte-for-byte alike.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tools=${MODELGATE_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/modelgate-tools}
store="$tools/deploy/containers"
log() { echo "image-check: $*" >&2; }

command -v buildah >/dev/null || { log "buildah missing: run test/harness/install-deploy-tools.sh"; exit 1; }
[[ $(id -u) -eq 0 ]] || { log "needs root (buildah with vfs storage and chroot isolation)"; exit 1; }

node_bin="$tools/node/node_modules/node/bin/node"
[[ -x "$node_bin" ]] || node_bin=$(command -v node)
node_bin=$(readlink -f "$node_bin")
node_version=$("$node_bin" --version)
[[ $node_version == v24.* ]] || { log "the stand-in needs Node 24, found $node_version at $node_bin"; exit 1; }

bah() { buildah --root "$store/root" --runroot "$store/run" --storage-driver vfs "$@"; }

BUILD_BASE=docker.io/library/node:24-bookworm-slim
RUNTIME_BASE=gcr.io/distroless/nodejs24-debian12:nonroot
IMAGE=ghcr.io/modelgate/modelgate:ci-check
NPM_VERSION=11.6.2
# Bump the recipe number when the stand-in recipe below changes, so cached stand-ins are rebuilt.
standin_label="modelgate.standin=r2-$node_version-npm$NPM_VERSION"

copy_with_libs() { # $1 = binary, $2 = rootfs, $3 = path inside
  install -D -m 0755 "$1" "$2$3"
  ldd "$1" | awk '/=> \// { print $3 } /^[[:space:]]*\// { print $1 }' | while read -r lib; do
    install -D -m 0755 "$(readlink -f "$lib")" "$2$lib"
  done
}

base_rootfs() { # $1 = rootfs dir, $2 = node path inside
  local root=$1
  mkdir -p "$root/etc/ssl/certs" "$root/tmp" "$root/app"
  chmod 1777 "$root/tmp"
  copy_with_libs "$node_bin" "$root" "$2"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnode:x:1000:1000::/home/node:/sbin/nologin\nnonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnode:x:1000:\nnonroot:x:65532:\n' >"$root/etc/group"
  cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
  mkdir -p "$root/home/nonroot" "$root/home/node"
  chown 65532:65532 "$root/home/nonroot"
}

standin_current() { # $1 = image
  [[ $(bah inspect --type image --format '{{.OCIv1.Config.Labels}}' "$1" 2>/dev/null) == *"modelgate.standin:${standin_label#modelgate.standin=} "* ]]
}

commit_standin() { # $1 = rootfs dir, $2 = tag, $@ = buildah config args
  local root=$1 tag=$2 ctr
  shift 2
  tar -C "$root" -cf "$root.tar" .
  ctr=$(bah from scratch)
  bah add "$ctr" "$root.tar" /
  bah config --label "$standin_label" --label "modelgate.standin.note=stand-in for $tag, assembled by test/harness/image-check.sh" "$@" "$ctr"
  bah commit --quiet --format docker --rm "$ctr" "$tag" >/dev/null
  rm -f "$root.tar"
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! standin_current "$BUILD_BASE"; then
  log "assembling the stand-in $BUILD_BASE (Node $node_version, npm $NPM_VERSION)"
  root="$work/build-base"
  base_rootfs "$root" /usr/local/bin/node
  npm_dir="$tools/deploy/standin-npm-$NPM_VERSION"
  if [[ ! -f "$npm_dir/node_modules/npm/package.json" ]]; then
    mkdir -p "$npm_dir"
    (cd "$npm_dir" && echo '{"private":true}' >package.json && npm install --no-audit --no-fund --loglevel=error "npm@$NPM_VERSION")
  fi
  mkdir -p "$root/usr/local/lib/node_modules"
  cp -a "$npm_dir/node_modules/npm" "$root/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  copy_with_libs "$(readlink -f /usr/bin/env)" "$root" /usr/bin/env
  # The machine's TLS interception CA rides in its bundle; the real image needs no such variable.
  commit_standin "$root" "$BUILD_BASE" --env PATH=/usr/local/bin:/usr/bin:/bin \
    --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt --workingdir / --cmd node
fi

if ! standin_current "$RUNTIME_BASE"; then
  log "assembling the stand-in $RUNTIME_BASE (Node $node_version, no shell)"
  root="$work/runtime-base"
  base_rootfs "$root" /nodejs/bin/node
  commit_standin "$root" "$RUNTIME_BASE" --env PATH=/usr/local/bin:/usr/bin:/bin \
    --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt --user 65532 --workingdir /home/nonroot \
    --entrypoint '["/nodejs/bin/node"]'
fi

log "building deploy/image/Dockerfile (unchanged) on the stand-in bases"
started=$SECONDS
bah build --quiet --pull=never --isolation chroot --format docker \
  -f "$repo/deploy/image/Dockerfile" -t "$IMAGE" "$repo" >/dev/null
log "built $IMAGE in $((SECONDS - started)) s"

user=$(bah inspect --type image --format '{{.Docker.Config.User}}' "$IMAGE")
entrypoint=$(bah inspect --type image --format '{{.Docker.Config.Entrypoint}}' "$IMAGE")
healthcheck=$(bah inspect --type image --format '{{.Docker.Config.Healthcheck}}' "$IMAGE")
[[ $user == "65532:65532" ]] || { log "image user is '$user', want 65532:65532"; exit 1; }
# The exec-form entrypoint: node, its flags (the garbage collector's), the CLI.
read -r -a entry <<<"${entrypoint:1:${#entrypoint}-2}"
[[ ${entry[0]} == /nodejs/bin/node && ${entry[-1]} == /app/src/cli/modelgate.ts ]] || { log "unexpected entrypoint $entrypoint"; exit 1; }
[[ $healthcheck == *healthz* ]] || { log "no health check in the image config: $healthcheck"; exit 1; }

ctr=$(bah from --pull=never "$IMAGE")
cleanup_ctr() { bah rm "$ctr" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup_ctr EXIT
mnt=$(bah mount "$ctr")
for forbidden in bin/sh bin/bash usr/bin/sh app/deploy/examples/try-key-analyst.txt app/node_modules/vitest app/node_modules/typescript app/test; do
  if [[ -e "$mnt/$forbidden" || -L "$mnt/$forbidden" ]]; then log "the image must not contain /$forbidden"; exit 1; fi
done
size=$(du -sm "$mnt" | cut -f1)
bah umount "$ctr" >/dev/null

# The entrypoint with its flags, run as the image's own user (buildah run does not apply the entrypoint itself).
run_in_image() { bah run --isolation chroot --user "$user" "$ctr" -- "${entry[@]}" "$@"; }
[[ $(bah run --isolation chroot --user "$user" "$ctr" -- /nodejs/bin/node -e 'process.stdout.write(String(process.getuid()))') == 65532 ]] \
  || { log "the image does not run as uid 65532"; exit 1; }

analyst=$(cat "$repo/deploy/examples/try-key-analyst.txt")
allowed=$(run_in_image check -c /app/deploy/examples/modelgate.yaml -X GET --path /v2/models/fraud-detector --api-key "$analyst")
grep -q '^decision: *ALLOW' <<<"$allowed" || { log "modelgate check in the image did not allow the analyst's read:"; echo "$allowed" >&2; exit 1; }
# A denial exits non-zero; buildah reports that on stderr, which is not a failure here.
denied=$(run_in_image check -c /app/deploy/examples/modelgate.yaml -X POST --path /v2/models/fraud-detector/infer --api-key "$analyst" 2>/dev/null || true)
grep -q 'policy_no_match' <<<"$denied" || { log "modelgate check in the image did not deny the analyst's prediction:"; echo "$denied" >&2; exit 1; }

# vfs keeps a full copy per layer: drop the layers no tag needs any more (the cache of this build stays).
bah rmi --prune >/dev/null 2>&1 || true
log "OK: $IMAGE (stand-in bases) — ${size} MiB unpacked; user $user; entrypoint ${entry[*]}; modelgate check allowed a read and denied a prediction inside the image"

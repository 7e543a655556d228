#!/usr/bin/env bash
# Build the tiny local images the Docker suite, the engine tests and the
# benchmarks use. Nothing is pulled (no registry here). Skips images that
# already exist, so it is cheap to run again.
#   sidecar-test/busybox:1  busybox FROM scratch
#   sidecar-test/pause:1    infra container stand-in (SIDECAR_INFRA_IMAGE in tests)
#   sidecar-test/node:20    the host's node + its shared libraries + busybox,
#                           with root and node users (templates' Dockerfiles say USER node)
# Podman keeps its own image store: busybox and pause are built there too.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fixtures="$root/test/fixtures/images"
busybox_bin="$(command -v busybox || echo /bin/busybox)"
work="$(mktemp -d /tmp/sidecar-images.XXXXXX)"
trap 'rm -rf "$work"' EXIT

log() { printf '[images] %s\n' "$*" >&2; }

# context NAME: a build directory holding the fixture Dockerfile and busybox.
context() {
  local dir="$work/$1"
  mkdir -p "$dir"
  cp "$fixtures/$1/Dockerfile" "$dir/Dockerfile"
  cp "$busybox_bin" "$dir/busybox"
  echo "$dir"
}

node_context() {
  local dir="$work/node" node_bin lib
  mkdir -p "$dir/rootfs/bin" "$dir/rootfs/usr/bin" "$dir/rootfs/etc" "$dir/rootfs/home/node" "$dir/rootfs/tmp"
  cp "$fixtures/node/Dockerfile" "$dir/Dockerfile"
  # Users as in the official node images: `USER node` needs a passwd entry.
  printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n' >"$dir/rootfs/etc/passwd"
  printf 'root:x:0:\nnode:x:1000:\n' >"$dir/rootfs/etc/group"
  chmod 1777 "$dir/rootfs/tmp"
  cp "$busybox_bin" "$dir/rootfs/bin/busybox"
  node_bin="$(readlink -f "$(command -v node)")"
  cp "$node_bin" "$dir/rootfs/usr/bin/node"
  # Every absolute path ldd prints (libraries and the loader), at the same path.
  for lib in $(ldd "$node_bin" | grep -o '/[^ ]*'); do
    mkdir -p "$dir/rootfs$(dirname "$lib")"
    cp -L "$lib" "$dir/rootfs$lib"
  done
  echo "$dir"
}

# The revision a fixture Dockerfile declares (LABEL sidecar-test.revision=N):
# an image built from an older revision is rebuilt, not kept.
revision() {
  sed -n 's/^LABEL sidecar-test.revision=\([0-9]*\)$/\1/p' "$fixtures/$1/Dockerfile"
}

build() { # ENGINE TAG CONTEXTFN NAME
  local engine="$1" tag="$2" fn="$3" name="$4" want have
  want="$(revision "$name")"
  if have="$("$engine" image inspect -f '{{index .Config.Labels "sidecar-test.revision"}}' "$tag" 2>/dev/null)"; then
    if [ "$have" = "$want" ] || { [ -z "$want" ] && { [ -z "$have" ] || [ "$have" = "<no value>" ]; }; }; then
      log "$engine: $tag exists"
      return
    fi
    log "$engine: $tag is revision ${have}, want ${want}: rebuilding"
  fi
  log "$engine: building $tag"
  local dir
  dir="$("$fn" "$name")"
  "$engine" build -q -t "$tag" "$dir" >/dev/null
}

build docker sidecar-test/busybox:1 context busybox
build docker sidecar-test/pause:1 context pause
build docker sidecar-test/node:20 node_context node

if command -v podman >/dev/null 2>&1 && [ "${SIDECAR_SKIP_PODMAN:-}" != 1 ]; then
  build podman sidecar-test/busybox:1 context busybox
  build podman sidecar-test/pause:1 context pause
fi

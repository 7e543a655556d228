#!/usr/bin/env bash
# Build the tiny local images the Docker suite, the engine tests and the
# benchmarks use. Nothing is pulled (no registry here). Skips images that
# already exist, so it is cheap to run again.
#   sidecar-test/busybox:1  busybox FROM scratch
#   sidecar-test/pause:1    infra container stand-in (SIDECAR_INFRA_IMAGE in tests)
#   sidecar-test/node:20    the host's node + its shared libraries + busybox
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
  mkdir -p "$dir/rootfs/bin" "$dir/rootfs/usr/bin"
  cp "$fixtures/node/Dockerfile" "$dir/Dockerfile"
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

build() { # ENGINE TAG CONTEXTFN NAME
  local engine="$1" tag="$2" fn="$3" name="$4"
  if "$engine" image inspect "$tag" >/dev/null 2>&1; then
    log "$engine: $tag exists"
    return
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

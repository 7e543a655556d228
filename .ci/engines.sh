#!/usr/bin/env bash
# Install and start the real engines the Docker suite and the generated-YAML
# tests run on (see ../shared/ENGINES.md). Idempotent: safe to run again on a
# machine where everything is already installed and dockerd already answers.
set -euo pipefail

DATA_ROOT="${SIDECAR_DOCKER_DATA_ROOT:-/tmp/sidecar-docker}"
DOCKERD_LOG="${SIDECAR_DOCKERD_LOG:-/tmp/dockerd.log}"
WAIT_SECONDS="${SIDECAR_DOCKERD_WAIT:-60}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

log() { printf '[engines] %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Packages: only apt-get when one of the tools is missing (apt holds a global lock).
need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
command -v podman >/dev/null 2>&1 || need+=(podman)
command -v catatonit >/dev/null 2>&1 || [ -x /usr/libexec/podman/catatonit ] || need+=(catatonit)
# The test images copy busybox into FROM-scratch images: it must be the static build.
dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)
# graph --format svg|png renders with Graphviz; the completion tests run zsh too.
command -v dot >/dev/null 2>&1 || need+=(graphviz)
command -v zsh >/dev/null 2>&1 || need+=(zsh)
# Rootless Docker (issue 15.2): dockerd-rootless.sh comes with docker.io.
command -v rootlesskit >/dev/null 2>&1 || need+=(rootlesskit)
command -v newuidmap >/dev/null 2>&1 || need+=(uidmap)
command -v slirp4netns >/dev/null 2>&1 || need+=(slirp4netns)
command -v curl >/dev/null 2>&1 || need+=(curl)
if [ "${#need[@]}" -gt 0 ]; then
  log "installing ${need[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# A second local user for the chaos suite (test/chaos/host-socket-squat.test.ts):
# it squats control sockets the way another user of a shared machine could.
CHAOS_USER="${SIDECAR_CHAOS_USER:-sidecar-chaos}"
if ! id -u "$CHAOS_USER" >/dev/null 2>&1; then
  log "creating local user $CHAOS_USER (chaos tests)"
  as_root useradd --system --no-create-home --shell /usr/sbin/nologin "$CHAOS_USER"
fi

# Podman: runc fails on rlimits in these sandboxes unless default ulimits are emptied.
conf=/etc/containers/containers.conf
if ! grep -qs 'default_ulimits *= *\[\]' "$conf"; then
  log "writing $conf"
  as_root mkdir -p /etc/containers
  printf '[containers]\ndefault_ulimits = []\n' | as_root tee "$conf" >/dev/null
fi

# dockerd: start it in the background with its data under /tmp, unless one answers.
if docker info >/dev/null 2>&1; then
  log "docker engine already answers"
else
  if ! pgrep -x dockerd >/dev/null 2>&1; then
    log "starting dockerd (data-root $DATA_ROOT, log $DOCKERD_LOG)"
    as_root mkdir -p "$DATA_ROOT"
    # setsid: dockerd must outlive this script and the CI step that ran it; from /,
    # so that removing the checkout it was started in leaves it a working directory.
    (cd / && as_root setsid dockerd --data-root "$DATA_ROOT") >"$DOCKERD_LOG" 2>&1 </dev/null &
  fi
  deadline=$(( $(date +%s) + WAIT_SECONDS ))
  until docker info >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      log "dockerd did not answer within ${WAIT_SECONDS}s; last log lines:"
      tail -n 20 "$DOCKERD_LOG" >&2 || true
      exit 1
    fi
    sleep 0.5
  done
  log "docker engine answers"
fi

# podman's Docker-compatible API (issue 15.1): the Docker suites run against it
# too (test/integration/podman-api/). Rootful, on podman's own socket path.
PODMAN_SOCKET="${SIDECAR_PODMAN_SOCKET:-/run/podman/podman.sock}"
if curl -fsS --max-time 2 --unix-socket "$PODMAN_SOCKET" http://d/_ping >/dev/null 2>&1; then
  log "podman API already answers at $PODMAN_SOCKET"
else
  log "starting podman system service at unix://$PODMAN_SOCKET"
  as_root mkdir -p "$(dirname "$PODMAN_SOCKET")"
  # From /: conmon, which it starts for every container, needs its working directory
  # to exist (a service started in a checkout that was then removed failed every
  # start with "write child: broken pipe", conmon logging "Failed to get working directory").
  (cd / && as_root setsid podman system service --time=0 "unix://$PODMAN_SOCKET") >/tmp/podman-service.log 2>&1 </dev/null &
  deadline=$(( $(date +%s) + WAIT_SECONDS ))
  until curl -fsS --max-time 2 --unix-socket "$PODMAN_SOCKET" http://d/_ping >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      log "podman system service did not answer within ${WAIT_SECONDS}s"; tail -n 20 /tmp/podman-service.log >&2 || true; exit 1
    fi
    sleep 0.5
  done
fi

# Test images are built locally (there is no registry to pull from).
"$here/../scripts/build-test-images.sh"

# Rootless Docker (issue 15.2): dockerd-rootless.sh run by an unprivileged user,
# socket at /run/user/UID/docker.sock; test/integration/rootless-docker/ runs
# the conformance suite against it. slirp4netns opens /dev/net/tun inside the
# user's namespace: these sandboxes ship it 0600 where Debian has 0666.
ROOTLESS_USER="${SIDECAR_ROOTLESS_USER:-sidecar-rootless}"
if ! id -u "$ROOTLESS_USER" >/dev/null 2>&1; then
  log "creating local user $ROOTLESS_USER (rootless Docker)"
  as_root useradd --create-home --shell /bin/bash "$ROOTLESS_USER"
fi
ruid="$(id -u "$ROOTLESS_USER")"
grep -qs "^$ROOTLESS_USER:" /etc/subuid || echo "$ROOTLESS_USER:200000:65536" | as_root tee -a /etc/subuid >/dev/null
grep -qs "^$ROOTLESS_USER:" /etc/subgid || echo "$ROOTLESS_USER:200000:65536" | as_root tee -a /etc/subgid >/dev/null
[ -e /dev/net/tun ] && as_root chmod 0666 /dev/net/tun
rsock="/run/user/$ruid/docker.sock"
if DOCKER_HOST="unix://$rsock" docker info >/dev/null 2>&1; then
  log "rootless docker already answers at $rsock"
else
  as_root mkdir -p "/run/user/$ruid"
  as_root chown "$ROOTLESS_USER:" "/run/user/$ruid"
  as_root chmod 0700 "/run/user/$ruid"
  log "starting rootless dockerd as $ROOTLESS_USER (log /tmp/dockerd-rootless.log)"
  rhome="$(getent passwd "$ROOTLESS_USER" | cut -d: -f6)"
  as_root su "$ROOTLESS_USER" -s /bin/bash -c "cd ~ && export XDG_RUNTIME_DIR=/run/user/$ruid HOME=$rhome PATH=/usr/share/docker.io/contrib:/usr/sbin:/usr/bin:/sbin:/bin; setsid dockerd-rootless.sh --data-root $rhome/docker >/tmp/dockerd-rootless.log 2>&1 </dev/null &"
  deadline=$(( $(date +%s) + WAIT_SECONDS ))
  until DOCKER_HOST="unix://$rsock" docker info >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      log "rootless dockerd did not answer within ${WAIT_SECONDS}s"; grep -v '^+' /tmp/dockerd-rootless.log | tail -n 20 >&2 || true; exit 1
    fi
    sleep 0.5
  done
  log "rootless docker answers at $rsock"
fi
DOCKER_HOST="unix://$rsock" SIDECAR_SKIP_PODMAN=1 "$here/../scripts/build-test-images.sh"

// Imported FIRST by the files in this folder: the Docker suites they import then
// probe, and talk to, podman's Docker-compatible API instead of dockerd
// (issue 15.1). .ci/engines.sh starts `podman system service` on this socket.
export const PODMAN_API = process.env.SIDECAR_PODMAN_HOST ?? 'unix:///run/podman/podman.sock';
process.env.DOCKER_HOST = PODMAN_API;
process.env.SIDECAR_ENGINE_UNDER_TEST = 'podman';

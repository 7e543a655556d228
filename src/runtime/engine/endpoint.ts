import os from 'node:os';
import path from 'node:path';

// Where a Docker API client would look for the engine (no dockerode here:
// doctor and `--runtime auto` must not pay for loading it).
export type EndpointSource = 'DOCKER_HOST' | 'default' | 'rootless Docker' | 'podman (rootless)' | 'podman (rootful)';
export type DockerEndpoint =
  | {kind: 'unix'; socketPath: string; url: string; source: EndpointSource}
  | {kind: 'tcp'; host: string; port: number; tls: boolean; url: string; source: 'DOCKER_HOST'}
  | {kind: 'unsupported'; url: string; source: 'DOCKER_HOST'};

export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';
export const PODMAN_ROOTFUL_SOCKET = '/run/podman/podman.sock';

function unix(socketPath: string, source: EndpointSource): DockerEndpoint {
  return {kind: 'unix', socketPath, url: `unix://${socketPath}`, source};
}

// DOCKER_HOST as the docker CLI reads it, else the default socket.
export function dockerEndpoint(env: NodeJS.ProcessEnv): DockerEndpoint {
  const value = env.DOCKER_HOST?.trim();
  if (!value) return unix(DEFAULT_DOCKER_SOCKET, 'default');
  if (value.startsWith('unix://')) return {kind: 'unix', socketPath: value.slice('unix://'.length), url: value, source: 'DOCKER_HOST'};
  if (value.startsWith('/')) return unix(value, 'DOCKER_HOST');
  const tcp = /^(?:tcp|http|https):\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(value);
  if (tcp) {
    const tls = value.startsWith('https:') || (env.DOCKER_TLS_VERIFY ?? '') !== '';
    return {kind: 'tcp', host: tcp[1]!.replace(/^\[|\]$/g, ''), port: Number(tcp[2] ?? (tls ? 2376 : 2375)), tls, url: value, source: 'DOCKER_HOST'};
  }
  return {kind: 'unsupported', url: value, source: 'DOCKER_HOST'};
}

// The runtime directory of this user: XDG_RUNTIME_DIR, else where systemd puts it.
function runtimeDir(env: NodeJS.ProcessEnv): string {
  const fromEnv = env.XDG_RUNTIME_DIR?.trim();
  if (fromEnv && path.isAbsolute(fromEnv)) return fromEnv;
  return `/run/user/${os.userInfo().uid}`;
}

// Every place an engine may answer, in the order a user expects them to win:
// DOCKER_HOST alone when it is set (an explicit choice is never second-guessed);
// else the Docker socket, rootless Docker's, podman's rootless then rootful API
// socket (what `systemctl [--user] enable --now podman.socket` creates).
export function candidateEndpoints(env: NodeJS.ProcessEnv): DockerEndpoint[] {
  if (env.DOCKER_HOST?.trim()) return [dockerEndpoint(env)];
  const dir = runtimeDir(env);
  const all = [
    unix(DEFAULT_DOCKER_SOCKET, 'default'),
    unix(path.join(dir, 'docker.sock'), 'rootless Docker'),
    unix(path.join(dir, 'podman', 'podman.sock'), 'podman (rootless)'),
    unix(PODMAN_ROOTFUL_SOCKET, 'podman (rootful)'),
  ];
  const seen = new Set<string>();
  return all.filter((e) => (e.kind === 'unix' && !seen.has(e.socketPath) ? (seen.add(e.socketPath), true) : false));
}

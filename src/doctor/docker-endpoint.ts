// Where a Docker client would look for the engine: DOCKER_HOST, else the default socket.
export type DockerEndpoint =
  | {kind: 'unix'; socketPath: string; url: string; source: 'DOCKER_HOST' | 'default'}
  | {kind: 'tcp'; host: string; port: number; tls: boolean; url: string; source: 'DOCKER_HOST'}
  | {kind: 'unsupported'; url: string; source: 'DOCKER_HOST'};

export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

export function dockerEndpoint(env: NodeJS.ProcessEnv): DockerEndpoint {
  const value = env.DOCKER_HOST?.trim();
  if (!value) return {kind: 'unix', socketPath: DEFAULT_DOCKER_SOCKET, url: `unix://${DEFAULT_DOCKER_SOCKET}`, source: 'default'};
  if (value.startsWith('unix://')) return {kind: 'unix', socketPath: value.slice('unix://'.length), url: value, source: 'DOCKER_HOST'};
  if (value.startsWith('/')) return {kind: 'unix', socketPath: value, url: `unix://${value}`, source: 'DOCKER_HOST'};
  const tcp = /^(?:tcp|http|https):\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(value);
  if (tcp) {
    const tls = value.startsWith('https:') || (env.DOCKER_TLS_VERIFY ?? '') !== '';
    return {kind: 'tcp', host: tcp[1]!.replace(/^\[|\]$/g, ''), port: Number(tcp[2] ?? (tls ? 2376 : 2375)), tls, url: value, source: 'DOCKER_HOST'};
  }
  return {kind: 'unsupported', url: value, source: 'DOCKER_HOST'};
}

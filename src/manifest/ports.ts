import type {PortMapping} from './types.js';

// Compose short syntax: `8080`, `8080:80`, `127.0.0.1:8080:80`, `[::1]:8080:80`,
// with an optional `/tcp|/udp`. Published on 127.0.0.1 unless an address is given.
export function parsePort(spec: string | number): PortMapping | string {
  const text = String(spec);
  // The address is a dotted IPv4, a bracketed IPv6 or localhost; a bare number
  // there would swallow the host port of "8080:80".
  const match = /^(?:(\[[0-9a-fA-F:.]+\]|\d{1,3}(?:\.\d{1,3}){3}|localhost):)?(?:(\d+):)?(\d+)(?:\/(tcp|udp))?$/.exec(text);
  if (!match) return `"${text}" is not a port mapping`;
  const [, address, host, container, protocol] = match;
  const containerPort = Number(container);
  const hostPort = host === undefined ? containerPort : Number(host);
  for (const port of [containerPort, hostPort]) {
    if (port < 1 || port > 65535) return `port ${port} is out of range in "${text}"`;
  }
  if (address !== undefined && /^\d/.test(address) && address.split('.').some((octet) => Number(octet) > 255)) {
    return `"${address}" in "${text}" is not an IPv4 address`;
  }
  const hostIp = address === undefined ? '127.0.0.1' : address === 'localhost' ? '127.0.0.1' : address.replace(/^\[|\]$/g, '');
  return {hostIp, hostPort, containerPort, protocol: (protocol as 'tcp' | 'udp' | undefined) ?? 'tcp'};
}

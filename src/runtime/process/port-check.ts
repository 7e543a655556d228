import dgram from 'node:dgram';
import net from 'node:net';
import {SidecarError} from '../../errors/index.js';
import {checksOf, type Service} from '../../manifest/types.js';
import {holdersOf, socketsOnPorts, type BoundSocket, type SocketHolder} from './port-holders.js';

// A port a service will listen on (its declared ports; the process runtime does
// not remap them) or that its http/tcp probe connects to.
export interface ServicePort {
  port: number;
  protocol: 'tcp' | 'udp';
  why: string;
}

export function portsOf(service: Service): ServicePort[] {
  const ports: ServicePort[] = service.ports.map((p) => ({port: p.containerPort, protocol: p.protocol, why: 'in its ports'}));
  for (const listen of service.listens ?? []) {
    if (!ports.some((p) => p.protocol === listen.protocol && p.port === listen.port)) ports.push({...listen, why: 'its containerPort'});
  }
  for (const {key, check} of checksOf(service)) {
    if ((check.kind === 'http' || check.kind === 'tcp') && !ports.some((p) => p.protocol === 'tcp' && p.port === check.port)) {
      ports.push({port: check.port, protocol: 'tcp', why: `probed by its ${check.kind} ${key === 'health' ? 'health' : 'liveness'} check`});
    }
  }
  return ports;
}

// Issue 13.1: whether every port binds on the wildcard address right now. A wildcard
// bind fails on any listener of its port (any address, IPv4 or IPv6) and on any bound
// UDP socket, so a port that binds is free and /proc/net need not be read: each read
// walks the kernel's whole socket hash, 8-25 ms here whatever the number of sockets,
// per file, per start. Anything else (EADDRINUSE, no IPv6, a privileged port, a
// connection's local port) goes to the exact check below, which also names the holder.
// The TCP listener lives for one turn of the event loop and accepts nothing.
export async function portsBindable(ports: readonly {port: number; protocol: 'tcp' | 'udp'}[]): Promise<boolean> {
  const results = await Promise.all(ports.map((p) => (p.protocol === 'tcp' ? tcpBindable(p.port) : udpBindable(p.port))));
  return results.every(Boolean);
}

// No host: Node then binds '::' (dual stack) without a DNS lookup of the address;
// naming '::' costs 5ms at its first use here, the parse of an IPv6 literal. When
// that bind fails Node falls back to 0.0.0.0, which proves nothing about IPv6
// listeners: the exact check decides then.
function tcpBindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({port, exclusive: true, backlog: 1}, () => {
      const wildcard = (server.address() as net.AddressInfo).family === 'IPv6';
      server.close(() => resolve(wildcard));
    });
  });
}

function udpBindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket({type: 'udp6', ipv6Only: false});
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind({port, address: '::', exclusive: true}, () => socket.close(() => resolve(true)));
  });
}

// What the process runtime checks before each start: the bind test, then the exact check.
export async function checkPortsFree(service: Service, ours: (pid: number) => boolean): Promise<void> {
  if (await portsBindable(portsOf(service))) return;
  assertPortsFree(service, ours);
}

// Issue 8.3: before a service starts, every port it declares or probes must be
// free, or a probe answered by someone else's listener passes while the service
// crash-loops on EADDRINUSE (Compose refuses to start on a taken port too: "port
// is already allocated"). Sockets held by our own processes of this run (`ours`)
// do not count: a sidecar may probe the app's port, a restart follows its own exit.
export function assertPortsFree(service: Service, ours: (pid: number) => boolean): void {
  const ports = portsOf(service);
  if (ports.length === 0) return;
  for (const {socket, held} of foreignSockets(socketsOnPorts(ports), ours)) {
    const port = ports.find((p) => p.port === socket.port && p.protocol === socket.protocol)!;
    // The driver keeps only the message of a failed start: the fix goes into it.
    const fix = `stop that program, or change the port of ${service.id} in the manifest`;
    throw new SidecarError('SIDECAR_STACK_FAILED', `port ${port.port}/${port.protocol} (${port.why}) is already in use by ${describeHolder(socket, held)}; ${fix}`, {suggestion: fix});
  }
}

// The sockets on these ports not held by one of ours, with whom they are held by.
function foreignSockets(sockets: BoundSocket[], ours: (pid: number) => boolean): {socket: BoundSocket; held: SocketHolder[]}[] {
  if (sockets.length === 0) return [];
  const holders = holdersOf(new Set(sockets.map((s) => s.inode)));
  return sockets.map((socket) => ({socket, held: holders.get(socket.inode) ?? []})).filter(({held}) => !held.some((h) => ours(h.pid)));
}

function describeHolder(socket: BoundSocket, held: SocketHolder[]): string {
  const where = `${socket.address.includes(':') ? `[${socket.address}]` : socket.address}:${socket.port}`;
  if (held.length === 0) return `another program (listening on ${where}, uid ${socket.uid}; its process is not readable here)`;
  const who = held.slice(0, 3).map((h) => `pid ${h.pid} (${h.command})`).join(', ');
  return `${who}${held.length > 3 ? ` and ${held.length - 3} more` : ''}, listening on ${where}`;
}

// `up`/`run` before anything starts (no stack of this project runs then, so every
// holder is someone else): the first taken port fails the whole start, naming the service.
export async function assertStackPortsFree(services: Service[]): Promise<void> {
  // The bind test for the whole stack, then one read of /proc/net (issue 13.1): each
  // read walks the kernel's socket tables; per service only when a port is taken.
  const ports = services.flatMap(portsOf);
  if ((await portsBindable(ports)) || socketsOnPorts(ports).length === 0) return;
  for (const service of services) {
    try {
      assertPortsFree(service, () => false);
    } catch (error) {
      if (!(error instanceof SidecarError)) throw error;
      // The unit's message carries its fix (the driver keeps only messages); here
      // the fix is printed on its own line, so it is not said twice.
      const message = error.suggestion && error.message.endsWith(`; ${error.suggestion}`) ? error.message.slice(0, -error.suggestion.length - 2) : error.message;
      throw new SidecarError('SIDECAR_STACK_FAILED', `${service.role} "${service.id}" cannot start: ${message}`, {...(error.suggestion ? {suggestion: error.suggestion} : {})});
    }
  }
}

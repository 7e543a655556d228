import {readFile} from 'node:fs/promises';

// Addresses that listen on a TCP port in a process's network namespace, read
// from /proc/<pid>/net/tcp{,6} (local Linux engines; undefined when unreadable:
// Docker Desktop, rootless, a remote engine).
export async function listenersOn(pid: number, port: number): Promise<string[] | undefined> {
  const tables = await Promise.all(['tcp', 'tcp6'].map((name) => readFile(`/proc/${pid}/net/${name}`, 'utf8').catch(() => undefined)));
  if (tables.every((table) => table === undefined)) return undefined;
  const found: string[] = [];
  for (const table of tables) {
    for (const row of (table ?? '').split('\n').slice(1)) {
      const [, local, , state] = row.trim().split(/\s+/);
      if (state !== '0A' || !local) continue;
      const [address, hexPort] = local.split(':');
      if (parseInt(hexPort ?? '', 16) === port && address) found.push(decodeAddress(address));
    }
  }
  return found;
}

// The kernel prints addresses as host-order 32-bit words in hex.
function decodeAddress(hex: string): string {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((word) => (word.match(/../g) ?? []).reverse().map((b) => parseInt(b, 16)));
  if (bytes.length === 4) return bytes.join('.');
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return bytes.slice(12).join('.');
  const groups = Array.from({length: 8}, (_, i) => ((bytes[2 * i]! << 8) | bytes[2 * i + 1]!).toString(16));
  const joined = groups.join(':');
  if (joined === '0:0:0:0:0:0:0:0') return '::';
  if (joined === '0:0:0:0:0:0:0:1') return '::1';
  return joined;
}

export function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1';
}

// On the published route a connection is accepted by the engine's forwarder
// (docker-proxy, rootlesskit's port driver) whether or not anything listens in
// the pod, so an accepted connect proves nothing there (issue 15.2: rootless
// Docker passed every TCP probe at once). The pod's own table says: undefined
// when something listens on an address the forwarder reaches (or /proc cannot
// tell: a remote engine), else why not.
export async function notListening(infraPid: number, port: number): Promise<string | undefined> {
  const listeners = await listenersOn(infraPid, port);
  if (listeners === undefined || listeners.some((address) => !isLoopback(address))) return undefined;
  if (listeners.length === 0) return `nothing listens on port ${port} in the pod (the engine's port forwarder accepted the connection)`;
  return `port ${port} listens on ${listeners[0]} only, which the engine's port forwarder does not reach: listen on 0.0.0.0 in a container`;
}

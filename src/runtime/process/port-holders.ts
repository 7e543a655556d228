import {readdirSync, readFileSync, readlinkSync} from 'node:fs';
import {procReads} from './proc-table.js';

// A socket bound to a port on this host (its network namespace), from /proc/net.
export interface BoundSocket {
  protocol: 'tcp' | 'udp';
  address: string;
  port: number;
  uid: number;
  inode: number;
}

// A process holding a socket: pid and command line, as `ss -p` and `lsof -i` show.
export interface SocketHolder {
  pid: number;
  command: string;
}

const TCP_LISTEN = '0A';

// Rows of /proc/net/{tcp,tcp6,udp,udp6}: TCP sockets in LISTEN, and every bound UDP
// socket (UDP has no listen state; a bound port is taken). Addresses are hex in
// host byte order per 32-bit word.
export function parseProcNet(text: string, protocol: 'tcp' | 'udp'): BoundSocket[] {
  const sockets: BoundSocket[] = [];
  for (const row of text.split('\n').slice(1)) {
    const fields = row.trim().split(/\s+/);
    if (fields.length < 10) continue;
    const [local, , state] = [fields[1]!, fields[2]!, fields[3]!];
    if (protocol === 'tcp' && state !== TCP_LISTEN) continue;
    const colon = local.lastIndexOf(':');
    const port = Number.parseInt(local.slice(colon + 1), 16);
    const inode = Number(fields[9]);
    if (!Number.isFinite(port) || port === 0) continue;
    sockets.push({protocol, address: hexAddress(local.slice(0, colon)), port, uid: Number(fields[7]), inode});
  }
  return sockets;
}

function hexAddress(hex: string): string {
  const words = hex.match(/.{8}/g) ?? [];
  // Each 32-bit word is stored little-endian.
  const bytes = words.flatMap((word) => [6, 4, 2, 0].map((i) => Number.parseInt(word.slice(i, i + 2), 16)));
  if (bytes.length === 4) return bytes.join('.');
  const groups = Array.from({length: 8}, (_v, i) => ((bytes[i * 2]! << 8) | bytes[i * 2 + 1]!).toString(16));
  const v4 = groups.slice(0, 5).every((g) => g === '0') && groups[5] === 'ffff';
  return v4 ? `::ffff:${bytes.slice(12).join('.')}` : groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

const TABLES = [['tcp', 'tcp'], ['tcp6', 'tcp'], ['udp', 'udp'], ['udp6', 'udp']] as const;
type Ports = {port: number; protocol: 'tcp' | 'udp'}[];

function onPorts(ports: Ports, tables: (readonly [string | undefined, 'tcp' | 'udp'])[]): BoundSocket[] {
  const wanted = new Set(ports.map((p) => `${p.protocol}/${p.port}`));
  return tables.flatMap(([text, protocol]) => (text === undefined ? [] : parseProcNet(text, protocol).filter((s) => wanted.has(`${s.protocol}/${s.port}`))));
}

// Every bound socket on the host that is on one of these ports.
export function socketsOnPorts(ports: Ports): BoundSocket[] {
  const tables = TABLES.filter(([, protocol]) => ports.some((p) => p.protocol === protocol)).map(([file, protocol]) => {
    try {
      procReads.net++;
      return [readFileSync(`/proc/net/${file}`, 'utf8'), protocol] as const;
    } catch {
      return [undefined, protocol] as const;
    }
  });
  return onPorts(ports, tables);
}

// Which processes hold these socket inodes: /proc/*/fd links read `socket:[inode]`.
// Best effort and bounded (what `ss -p` does, with a budget): other users'
// processes are not readable without root, and a huge process table is cut short.
export function holdersOf(inodes: Set<number>, budget = {processes: 20_000, ms: 500}): Map<number, SocketHolder[]> {
  const holders = new Map<number, SocketHolder[]>();
  if (inodes.size === 0) return holders;
  const deadline = Date.now() + budget.ms;
  let seen = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    if (++seen > budget.processes || Date.now() > deadline) break;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = readlinkSync(`/proc/${entry}/fd/${fd}`);
      } catch {
        continue;
      }
      if (!link.startsWith('socket:[')) continue;
      const inode = Number(link.slice('socket:['.length, -1));
      if (!inodes.has(inode)) continue;
      const list = holders.get(inode) ?? [];
      if (!list.some((h) => h.pid === Number(entry))) list.push({pid: Number(entry), command: commandOf(Number(entry))});
      holders.set(inode, list);
    }
  }
  return holders;
}

function commandOf(pid: number): string {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const text = argv.join(' ');
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
  } catch {
    return '?';
  }
}

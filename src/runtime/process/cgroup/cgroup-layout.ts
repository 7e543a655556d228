import {readFileSync} from 'node:fs';
import path from 'node:path';

// Where this process may make a cgroup per service (DESIGN "Resources"), read
// from /proc/self/cgroup and /proc/self/mountinfo. Pure over that text, so both
// layouts are unit-tested on any machine:
// - v2 (unified, most laptops): one tree; a group needs the memory/cpu
//   controllers enabled in its parent's cgroup.subtree_control. Root may use the
//   tree's root; anyone else only a delegated subtree: the parent of their own
//   group (systemd delegates user@UID.service/... to the user).
// - v1 (and hybrid, as on the CI machines): one tree per controller; a child of
//   our own group in the memory and cpu trees (nested: any outer limit still holds).
export type CgroupLayout =
  | {version: 2; parent: string}
  | {version: 1; memory?: string; cpu?: string}
  | {version: 0; why: string};

interface Mount {
  root: string;
  point: string;
  fstype: string;
  options: string[];
}

// mountinfo: `id parent major:minor root mountpoint opts... - fstype source superopts`.
function parseMounts(mountinfo: string): Mount[] {
  return mountinfo.split('\n').flatMap((line) => {
    const [left, right] = line.split(' - ');
    if (!left || !right) return [];
    const fields = left.split(' ');
    const [fstype, , superOptions] = right.split(' ');
    if (fields.length < 5 || !fstype) return [];
    const unescape = (text: string) => text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
    return [{root: unescape(fields[3]!), point: unescape(fields[4]!), fstype, options: (superOptions ?? '').split(',')}];
  });
}

// /proc/self/cgroup: `id:controllers:path`; v2 is `0::path`.
function ownPaths(procCgroup: string): Map<string, string> {
  const paths = new Map<string, string>();
  for (const line of procCgroup.split('\n')) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line.trim());
    if (!match) continue;
    if (match[1] === '') paths.set('', match[2]!);
    for (const controller of match[1]!.split(',')) if (controller) paths.set(controller, match[2]!);
  }
  return paths;
}

// The directory of our own group in a mounted tree (a container may mount it below its root).
function ownDir(mount: Mount, own: string | undefined): string | undefined {
  if (own === undefined) return undefined;
  const relative = mount.root === '/' ? own : own.startsWith(mount.root) ? own.slice(mount.root.length) : undefined;
  if (relative === undefined || relative.includes('..')) return undefined;
  return path.join(mount.point, relative).replace(/(.)\/+$/, '$1');
}

export function cgroupLayout(input: {procCgroup: string; mountinfo: string; uid: number}): CgroupLayout {
  const mounts = parseMounts(input.mountinfo);
  const own = ownPaths(input.procCgroup);
  const v1 = (controller: string): string | undefined => {
    const mount = mounts.find((m) => m.fstype === 'cgroup' && m.options.includes(controller));
    return mount ? ownDir(mount, own.get(controller)) : undefined;
  };
  const memory = v1('memory');
  const cpu = v1('cpu');
  if (memory !== undefined || cpu !== undefined) return {version: 1, ...(memory ? {memory} : {}), ...(cpu ? {cpu} : {})};
  const unified = mounts.find((m) => m.fstype === 'cgroup2');
  if (!unified) return {version: 0, why: 'no cgroup filesystem is mounted'};
  const mine = ownDir(unified, own.get(''));
  if (mine === undefined) return {version: 0, why: 'this process is in no cgroup v2 group it can see'};
  return {version: 2, parent: input.uid === 0 ? unified.point : path.dirname(mine)};
}

// The layout of this process, on Linux; elsewhere there are no cgroups.
export function currentCgroupLayout(): CgroupLayout {
  if (process.platform !== 'linux') return {version: 0, why: `cgroups are a Linux feature (this is ${process.platform})`};
  try {
    return cgroupLayout({procCgroup: readFileSync('/proc/self/cgroup', 'utf8'), mountinfo: readFileSync('/proc/self/mountinfo', 'utf8'), uid: process.getuid?.() ?? -1});
  } catch (error) {
    return {version: 0, why: `reading /proc/self/cgroup failed: ${(error as Error).message}`};
  }
}

import {describe, expect, it} from 'vitest';
import {cgroupLayout} from '../../../src/runtime/process/cgroup/cgroup-layout.js';

// Issue 12.4: where the process runtime makes a service's cgroup, read from
// /proc/self/cgroup and /proc/self/mountinfo as each kind of machine shows them.
const HYBRID_MOUNTS = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw`;
const HYBRID_SELF = `9:name=systemd:/
4:memory:/process_api/c9b3
2:cpuacct:/
1:cpu:/
0::/`;
const V2_MOUNTS = '30 24 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot';
const V2_SELF = '0::/user.slice/user-1000.slice/user@1000.service/app.slice/app-org.gnome.Terminal.slice/vte-spawn-1.scope';

describe('cgroupLayout', () => {
  it('hybrid v1 (the CI machines): children of our own memory and cpu groups', () => {
    expect(cgroupLayout({procCgroup: HYBRID_SELF, mountinfo: HYBRID_MOUNTS, uid: 0})).toEqual({version: 1, memory: '/sys/fs/cgroup/memory/process_api/c9b3', cpu: '/sys/fs/cgroup/cpu'});
  });

  it('v1 with cpu and cpuacct mounted together', () => {
    const mounts = '32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory';
    expect(cgroupLayout({procCgroup: '3:cpu,cpuacct:/a\n4:memory:/a', mountinfo: mounts, uid: 0})).toEqual({version: 1, memory: '/sys/fs/cgroup/memory/a', cpu: '/sys/fs/cgroup/cpu,cpuacct/a'});
  });

  it('v2 as root: the root of the tree', () => {
    expect(cgroupLayout({procCgroup: V2_SELF, mountinfo: V2_MOUNTS, uid: 0})).toEqual({version: 2, parent: '/sys/fs/cgroup'});
  });

  it('v2 as a user: the delegated parent of our own group', () => {
    expect(cgroupLayout({procCgroup: V2_SELF, mountinfo: V2_MOUNTS, uid: 1000})).toEqual({version: 2, parent: '/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/app-org.gnome.Terminal.slice'});
  });

  it('a tree mounted below its root (a container) maps our path inside the mount', () => {
    const mounts = '35 31 0:32 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory';
    expect(cgroupLayout({procCgroup: '4:memory:/docker/abc/inner', mountinfo: mounts, uid: 0})).toEqual({version: 1, memory: '/sys/fs/cgroup/memory/inner'});
  });

  it('no cgroup filesystem: none, with the reason', () => {
    expect(cgroupLayout({procCgroup: '', mountinfo: '20 1 0:5 / /proc rw - proc proc rw', uid: 0})).toEqual({version: 0, why: 'no cgroup filesystem is mounted'});
  });
});

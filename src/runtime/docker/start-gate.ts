import {spawn} from 'node:child_process';
import {closeSync, constants, fchmodSync, linkSync, openSync, renameSync, unlinkSync, writeSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import {ensureRealDir, removeInsideStateDir} from '../safe-state-dir.js';
import {engineInfo} from './engine-info.js';
import {GATE_BINARIES} from './gate-binary.js';

// Issue 13.5: the engine starts a container in ~90 ms here, almost all of it the
// sandbox (shim, runc, mounts), and lifecycle order made 50 sidecars wait for 50
// of those one after another: more than 4 s of the engine's own time. runc splits
// a start in two, `create` (the sandbox, the process waiting on its exec FIFO)
// and `start` (the FIFO opened: the program runs); the Docker API does both in
// one call. The gate puts the split back: a pod's containers are started at
// once, each with native/gate/gate.c in front of its program, and each program
// runs only when the supervisor opens its gate's FIFO, in lifecycle order, as
// the engine's start would have run it. The FIFO tells when it ran (end of file:
// the exec closed it) or why it could not (an errno), as runc's does.
//
// Used only where the FIFO is shared with the engine's containers: a local
// engine (unix socket, this kernel, this host name) of an architecture there is
// a gate binary for; SIDECAR_DOCKER_GATE=0 turns it off. Anywhere else, and for
// every restart, the container is started when its turn comes, as before.

// Where a gated container sees its gate directory (the binary and the FIFO).
export const GATE_MOUNT = '/.sidecar-gate';
const GATES_DIR = ['.sidecar', 'gates'];
// Names the gate directories this process makes.
let gateCount = 0;
// An inspect of the container while its gate has not answered: one that died gated is started afresh.
const CHECK_EVERY_MS = 1_000;
const RELEASE_DEADLINE_MS = 30_000;
const GONE_GRACE_MS = 200;
const MKFIFO_DEADLINE_MS = 10_000;

export type GateOutcome = {ran: true} | {ran: false; errno: number} | {ran: false; gone: true};

export interface GateFiles {
  projectDir: string;
  // Its directory's name under .sidecar/gates/.
  name: string;
  // Host directory bind-mounted read-only at GATE_MOUNT.
  dir: string;
  fifo: string;
}

// The gate binary for this engine, when the gate can be used with it.
export async function gateBinaryFor(docker: Docker): Promise<Buffer | undefined> {
  if (process.platform !== 'linux' || process.env.SIDECAR_DOCKER_GATE === '0') return undefined;
  if (!(docker.modem as {socketPath?: string}).socketPath) return undefined;
  const info = await engineInfo(docker);
  if (!info || info.KernelVersion !== os.release() || info.Name !== os.hostname()) return undefined;
  // Docker says uname's word for it, podman's Docker API Go's.
  const arch = info.Architecture === 'amd64' ? 'x86_64' : info.Architecture === 'arm64' ? 'aarch64' : info.Architecture;
  const binary = arch ? GATE_BINARIES[arch] : undefined;
  return binary ? Buffer.from(binary, 'base64') : undefined;
}

// .sidecar/gates/<n>/{gate,fifo} for each service, a new <n> each time: a
// container made before for the same service keeps its own FIFO, which no later
// gate shares. Nothing is followed: a link in the way is refused (ensureRealDir)
// and that batch goes ungated. Keyed by service id.
export async function makeGates(projectDir: string, binary: Buffer, ids: string[]): Promise<Map<string, GateFiles>> {
  const root = ensureRealDir(projectDir, GATES_DIR);
  const gate = path.join(root, 'gate');
  writeBinary(gate, binary);
  const made = new Map<string, GateFiles>();
  for (const id of ids) {
    const name = String(++gateCount);
    const dir = ensureRealDir(projectDir, [...GATES_DIR, name]);
    // The container's user may be anyone: it must reach the binary and write the FIFO.
    // Through a handle opened without following: a link swapped in is not changed.
    const handle = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
    try {
      fchmodSync(handle, 0o755);
    } finally {
      closeSync(handle);
    }
    linkSync(gate, path.join(dir, 'gate'));
    made.set(id, {projectDir, name, dir, fifo: path.join(dir, 'fifo')});
  }
  if (made.size > 0) await mkfifo([...made.values()].map((files) => files.fifo));
  return made;
}

// Written beside and renamed into place: a gate of a container still running keeps its own inode.
function writeBinary(file: string, binary: Buffer): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    unlinkSync(temp);
  } catch {
    // none left over
  }
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o755);
  try {
    writeSync(fd, binary);
    fchmodSync(fd, 0o755);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}

// Node has no mkfifo(3): one mkfifo(1) for the batch, never through a shell.
function mkfifo(files: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('mkfifo', ['-m', '0622', '--', ...files], {stdio: ['ignore', 'ignore', 'pipe']});
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), MKFIFO_DEADLINE_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`mkfifo exited ${code ?? signal}: ${stderr.trim()}`));
    });
  });
}

// The gated entrypoint: the gate, its FIFO, then the program as the engine would have run it.
export function gatedCommand(argv: string[]): string[] {
  return [`${GATE_MOUNT}/gate`, `${GATE_MOUNT}/fifo`, ...argv];
}

// Opens the gate: resolves once the program runs (or could not be run). `exited`
// settles when the container is seen gone; `alive` asks the engine whether it still runs.
export function releaseGate(files: GateFiles, exited: Promise<unknown>, alive: () => Promise<boolean>): Promise<GateOutcome> {
  return new Promise((resolve) => {
    let fd: number;
    try {
      fd = openSync(files.fifo, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
    } catch {
      resolve({ran: false, gone: true});
      return;
    }
    const socket = new net.Socket({fd, readable: true, writable: false});
    const chunks: Buffer[] = [];
    const began = performance.now();
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (outcome: GateOutcome): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => {
      const answer = Buffer.concat(chunks);
      finish(answer.length >= 4 ? {ran: false, errno: answer.readInt32LE(0)} : {ran: true});
    });
    socket.on('error', () => finish({ran: false, gone: true}));
    // Seen gone: an exec closed the FIFO long before its program could exit and
    // the engine say so, so an end of file still on its way is waited for: a
    // program that ran (a job) must not be run twice.
    const gone = (): void => {
      if (done) return;
      clearTimeout(timer);
      timer = setTimeout(() => finish({ran: false, gone: true}), GONE_GRACE_MS);
    };
    void exited.then(gone);
    const check = (): void => {
      if (done) return;
      if (performance.now() - began >= RELEASE_DEADLINE_MS) return gone();
      void alive().then((running) => (running ? (timer = setTimeout(check, CHECK_EVERY_MS)) : gone()), gone);
    };
    timer = setTimeout(check, CHECK_EVERY_MS);
  });
}

// Its gate directory once the program runs: the container keeps its mount.
export function removeGate(files: GateFiles): void {
  try {
    removeInsideStateDir(files.projectDir, [...GATES_DIR, files.name]);
  } catch {
    // a link put there is not followed, and is left for assertStateTree to refuse
  }
}

export function removeAllGates(projectDir: string): void {
  try {
    removeInsideStateDir(projectDir, GATES_DIR);
  } catch {
    // as above
  }
}

const ERRNO_WORDS: Record<number, string> = {
  [os.constants.errno.ENOENT]: 'no such file or directory',
  [os.constants.errno.EACCES]: 'permission denied',
  [os.constants.errno.ENOEXEC]: 'exec format error',
  [os.constants.errno.ENOTDIR]: 'not a directory',
  [os.constants.errno.ENAMETOOLONG]: 'file name too long',
  [os.constants.errno.E2BIG]: 'argument list too long',
  [os.constants.errno.ENOMEM]: 'cannot allocate memory',
};

// The program could not be run: said as runc says it.
export function execFailure(program: string, errno: number): string {
  if (errno === os.constants.errno.ENOENT && !program.includes('/')) return `exec: "${program}": executable file not found in $PATH`;
  return `exec: "${program}": ${ERRNO_WORDS[errno] ?? `errno ${errno}`}`;
}

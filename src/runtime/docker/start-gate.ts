import {spawn, spawnSync} from 'node:child_process';
import {chmodSync, closeSync, constants, fchmodSync, linkSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import {isPrivateDir, privateBases} from '../../host/socket-path.js';
import {ensureRealDir} from '../safe-state-dir.js';
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
// a gate binary for; SIDECAR_DOCKER_GATE=0 turns it off. Anywhere else the
// container is started when its turn comes, as before. A crash restart's
// container, made during the backoff, is gated too.

// Where a gated container sees its gate directory (the binary and the FIFO).
export const GATE_MOUNT = '/.sidecar-gate';
// An inspect of the container while its gate has not answered: one that died gated is started afresh.
const CHECK_EVERY_MS = 1_000;
export const RELEASE_DEADLINE_MS = 30_000;
const GONE_GRACE_MS = 200;
const MKFIFO_DEADLINE_MS = 10_000;

export type GateOutcome = {ran: true; errno?: number} | {ran: false; gone: true} | {ran: false; stuck: true};

export interface GateFiles {
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

// A supervisor's gates: <root>/<n>/{gate,fifo}, a new <n> for each container
// (one made before for the same service keeps its own FIFO). The root is a
// private directory (mkdtemp, 0700, ours) under $XDG_RUNTIME_DIR or the temp
// dir, never in the project: whoever can open a gate's FIFO runs its program,
// and a container that mounts the project (a common dev setup) could have
// opened them all out of turn (found by a trial). Its path is noted in
// .sidecar/gates-dir, so that the next supervisor removes what a killed one left.
export class GateDirs {
  private root: string | undefined;
  private count = 0;

  constructor(private readonly projectDir: string) {}

  // Keyed by service id. Throws when no private directory can be made: the batch goes ungated.
  async make(binary: Buffer, ids: string[]): Promise<Map<string, GateFiles>> {
    const root = this.ensureRoot(binary);
    const made = new Map<string, GateFiles>();
    for (const id of ids) {
      const dir = path.join(root, String(++this.count));
      // The container's user may be anyone: it must reach the binary and write the FIFO.
      mkdirSync(dir);
      chmodSync(dir, 0o755);
      linkSync(path.join(root, 'gate'), path.join(dir, 'gate'));
      made.set(id, {dir, fifo: path.join(dir, 'fifo')});
    }
    if (made.size > 0) await mkfifo([...made.values()].map((files) => files.fifo));
    return made;
  }

  // Its container is gone: so is its directory.
  remove(files: GateFiles): void {
    if (this.root && path.dirname(files.dir) === this.root) rmSync(files.dir, {recursive: true, force: true});
  }

  // The teardown: every gate of this supervisor, and the note of them; from
  // another process (`down` of a stack whose supervisor was killed), the ones
  // the note names.
  removeAll(): void {
    if (this.root) rmSync(this.root, {recursive: true, force: true});
    this.root = undefined;
    removeNoted(this.projectDir);
  }

  // In the first private base where the gate can be run: a base mounted noexec
  // (a hardened /tmp) is passed over, since podman keeps noexec on the bind
  // mount and every gated start would fail there (found by a trial).
  private ensureRoot(binary: Buffer): string {
    if (this.root && isPrivateDir(this.root)) return this.root;
    removeNoted(this.projectDir);
    let failure: unknown;
    for (const base of privateBases()) {
      let root: string | undefined;
      try {
        root = mkdtempSync(path.join(base, GATES_PREFIX));
        if (!isPrivateDir(root)) throw new Error(`${root} is not private`);
        writeGate(path.join(root, 'gate'), binary);
        if (!runnable(path.join(root, 'gate'))) throw new Error(`programs cannot be run from ${base}`);
        writeNote(this.projectDir, root);
        this.root = root;
        return root;
      } catch (error) {
        failure = error;
        if (root) rmSync(root, {recursive: true, force: true});
      }
    }
    throw failure ?? new Error('no private directory for the start gates');
  }
}

function writeGate(file: string, binary: Buffer): void {
  const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o755);
  try {
    writeSync(fd, binary);
    fchmodSync(fd, 0o755);
  } finally {
    closeSync(fd);
  }
}

// The gate run with no arguments says its usage and exits 127: it can be run from there.
function runnable(gate: string): boolean {
  const result = spawnSync(gate, [], {stdio: 'ignore', timeout: 5000});
  return result.error === undefined && result.status === 127;
}

const GATES_PREFIX = 'sidecar-gates-';
const NOTE = ['.sidecar', 'gates-dir'];

function writeNote(projectDir: string, root: string): void {
  const file = path.join(ensureRealDir(projectDir, NOTE.slice(0, 1)), NOTE[1]!);
  const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
  try {
    writeSync(fd, `${root}\n`);
  } finally {
    closeSync(fd);
  }
}

function removeNote(projectDir: string): void {
  rmSync(path.join(projectDir, ...NOTE), {force: true});
}

// What the note names, only when it is a gate root of ours: a private directory
// with our prefix directly in one of the private bases. Never anything else.
function removeNoted(projectDir: string): void {
  let noted: string;
  try {
    const fd = openSync(path.join(projectDir, ...NOTE), constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      noted = readFileSync(fd, 'utf8').trim();
    } finally {
      closeSync(fd);
    }
  } catch {
    return;
  }
  if (path.isAbsolute(noted) && path.basename(noted).startsWith(GATES_PREFIX) && privateBases().includes(path.dirname(noted)) && isPrivateDir(noted)) {
    rmSync(noted, {recursive: true, force: true});
  }
  removeNote(projectDir);
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

// Which gate each service's container was made with, and the gates of a
// batch of containers made ahead: the runtime's bookkeeping of its gates.
export class GateBook {
  private binary: Promise<Buffer | undefined> | undefined;
  private dirs: GateDirs | undefined;
  private readonly current = new Map<string, GateFiles>();

  // Gates for these services' containers, when the engine can use gates (else,
  // or when none can be made, undefined: the batch is made ungated).
  forBatch(docker: Docker, projectDir: string, serviceIds: string[]): Promise<Map<string, GateFiles> | undefined> {
    if (serviceIds.length === 0) return Promise.resolve(undefined);
    this.binary ??= gateBinaryFor(docker);
    const dirs = (this.dirs ??= new GateDirs(projectDir));
    return this.binary.then((binary) => (binary ? dirs.make(binary, serviceIds) : undefined)).catch(() => undefined);
  }

  // The service's container now has this gate (or none): the one before went
  // with its container. A gate stays as long as its container, since the
  // engine's archive endpoint (watch sync, `docker cp`) needs every mount's source.
  made(serviceId: string, files: GateFiles | undefined): void {
    const old = this.current.get(serviceId);
    if (old && old !== files) this.dirs?.remove(old);
    if (files) this.current.set(serviceId, files);
    else this.current.delete(serviceId);
  }

  // A gate made for a container that was made ungated after all.
  unused(files: GateFiles): void {
    this.dirs?.remove(files);
  }

  // The teardown (from another process too: what the project's note names).
  removeAll(projectDir: string): void {
    (this.dirs ?? new GateDirs(projectDir)).removeAll();
    this.current.clear();
  }
}

// The gated entrypoint: the gate, its FIFO, then the program as the engine would have run it.
export function gatedCommand(argv: string[]): string[] {
  return [`${GATE_MOUNT}/gate`, `${GATE_MOUNT}/fifo`, ...argv];
}

// Opens the gate: resolves once the program was run (its exec done, or failed:
// the gate then says why on stderr and exits as tini did, so the unit exits as
// it would have without the gate, errno told for the record). `gone`: the
// container exited or went before its program ran (it can be made again);
// `stuck`: it still runs but its gate did not answer within the deadline (it
// is not made again: its program may have been run by another reader).
// A FIFO that cannot be opened (its directory removed) was opened by nobody: gone.
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
      finish(answer.length >= 4 ? {ran: true, errno: answer.readInt32LE(0)} : {ran: true});
    });
    socket.on('error', () => finish({ran: false, gone: true}));
    // Seen gone: an exec closed the FIFO long before its program could exit and
    // the engine say so, so an end of file still on its way is waited for (a
    // program that ran, a job, must not be run twice): a grace, then the end of
    // the poll phase (setImmediate), so that an end of file the kernel already
    // holds is read first even after the event loop stalled past the grace.
    const gone = (): void => {
      if (done) return;
      clearTimeout(timer);
      timer = setTimeout(() => setImmediate(() => finish({ran: false, gone: true})), GONE_GRACE_MS);
    };
    void exited.then(gone);
    const check = (): void => {
      if (done) return;
      void alive().then(
        (running) => {
          if (!running) return gone();
          if (performance.now() - began >= RELEASE_DEADLINE_MS) return finish({ran: false, stuck: true});
          timer = setTimeout(check, CHECK_EVERY_MS);
        },
        gone,
      );
    };
    timer = setTimeout(check, CHECK_EVERY_MS);
  });
}

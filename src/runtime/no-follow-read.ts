import {closeSync, constants, existsSync, fstatSync, lstatSync, openSync, readlinkSync, readSync} from 'node:fs';
import {SidecarError} from '../errors/index.js';
import type {NoFollowPath} from './types.js';

// A file of the project as a watch `sync` sends it: its bytes, or the link it is.
export type HostEntry = {type: 'file'; mode: number; mtimeMs: number; content: Buffer} | {type: 'symlink'; mode: number; mtimeMs: number; linkname: string};

const DIRECTORY = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
// A FIFO swapped in for the file must not block the read.
const FILE = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
// Gone, or a link or something else where a directory was: the entry is left out.
const LEFT_OUT = new Set(['ENOENT', 'ELOOP', 'ENOTDIR', 'EINVAL']);
const PROC_FD = '/proc/self/fd';

// Reads a file to copy without following a link on the way (the rule never to
// follow a link out of the project). The link guard checks with realpath, and a
// directory swapped for a link to /etc after that check would have a read by path
// follow it; here each directory is opened below the handle of the one before, with
// O_NOFOLLOW, from `base` (the project's real path), and the file below the last
// handle: what is read is what lies in the project at the time of the read. Under
// a handle means through /proc/self/fd/N/name (Node has no openat): without /proc
// nothing is read at all. The file itself may be a link: it goes as the link.
// undefined: gone, not a file or link, or reached through a link now (that swap is
// a change of its own: its batch sends the link as a link).
export function readNoFollow(at: NoFollowPath): HostEntry | undefined {
  const name = at.below[at.below.length - 1];
  if (name === undefined) return undefined;
  const fds: number[] = [];
  try {
    fds.push(openSync(at.base, DIRECTORY));
    for (const dir of at.below.slice(0, -1)) fds.push(openSync(`${PROC_FD}/${fds[fds.length - 1]!}/${dir}`, DIRECTORY));
    const file = `${PROC_FD}/${fds[fds.length - 1]!}/${name}`;
    const stat = lstatSync(file);
    if (stat.isSymbolicLink()) return {type: 'symlink', mode: stat.mode, mtimeMs: stat.mtimeMs, linkname: readlinkSync(file)};
    // Never opened: a device or FIFO of the project is not a file to send (nor was it before).
    if (!stat.isFile()) return undefined;
    const fd = openSync(file, FILE);
    fds.push(fd);
    const opened = fstatSync(fd);
    if (!opened.isFile()) return undefined;
    return {type: 'file', mode: opened.mode, mtimeMs: opened.mtimeMs, content: readUpTo(fd, opened.size)};
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code === 'ENOENT' && !existsSync(PROC_FD)) throw noProc(error);
    if (LEFT_OUT.has(code)) return undefined;
    throw error;
  } finally {
    for (const fd of fds) closeSync(fd);
  }
}

// At most `size` bytes (the size fstat gave): a file that grows meanwhile does not
// make the read unbounded, one that shrinks gives what it has.
function readUpTo(fd: number, size: number): Buffer {
  const content = Buffer.alloc(size);
  let read = 0;
  while (read < size) {
    const n = readSync(fd, content, read, size - read, read);
    if (n === 0) break;
    read += n;
  }
  return read === size ? content : content.subarray(0, read);
}

function noProc(cause: unknown): SidecarError {
  return new SidecarError('SIDECAR_FILESYSTEM', `watch sync reads files below directory handles through ${PROC_FD}, and it is missing here (/proc not mounted?): nothing is copied, rather than read through a path a link could redirect`, {
    cause,
    suggestion: 'mount /proc (`mount -t proc proc /proc`), or use `action: rebuild` for this rule',
  });
}

import {SidecarError} from './sidecar-error.js';

// Issue 9.12: an OS refusal (permissions, read-only or full disk, a link or a file
// where a directory should be) is the user's to fix, not "a bug": name the path,
// say what the OS said and what to do about it.
const REASONS: Record<string, {what: string; fix: (file: string) => string}> = {
  EACCES: {what: 'permission denied', fix: (f) => `check the owner and mode of ${f} and its directory (\`ls -ld ${f}\`), or run sidecar as the user who owns the project`},
  EPERM: {what: 'operation not permitted', fix: (f) => `check the owner, mode and attributes of ${f} (\`ls -ld ${f}\`, \`lsattr -d ${f}\`)`},
  EROFS: {what: 'read-only file system', fix: (f) => `run sidecar where ${f} is writable (a project on a writable disk)`},
  ENOSPC: {what: 'no space left on the device', fix: (f) => `free space on the disk holding ${f} (\`df -h ${f}\`)`},
  EDQUOT: {what: 'disk quota exceeded', fix: (f) => `free space within your quota on the disk holding ${f}`},
  ELOOP: {what: 'it is a symlink (or a loop of them)', fix: (f) => `remove the symlink ${f}; sidecar keeps its own files in real directories`},
  ENOTDIR: {what: 'a part of the path is a file, not a directory', fix: (f) => `move away the file that stands where a directory of ${f} should be`},
  EISDIR: {what: 'it is a directory', fix: (f) => `move away the directory ${f}`},
  ENAMETOOLONG: {what: 'the path is too long', fix: () => 'use a project directory with a shorter path'},
  EMFILE: {what: 'too many open files', fix: () => 'raise the open-file limit (`ulimit -n`) or stop some processes'},
};

const VERBS: Record<string, string> = {open: 'open', mkdir: 'create', rmdir: 'remove', unlink: 'remove', rm: 'remove', rename: 'rename', write: 'write', read: 'read', scandir: 'list', lstat: 'inspect', stat: 'inspect', chmod: 'change the mode of', symlink: 'create', mkfile: 'create a file in', copyfile: 'copy', bind: 'create the socket', connect: 'connect to'};

// The SidecarError for a Node fs/OS error that carries a path, or undefined for anything else.
export function fromOsError(error: unknown): SidecarError | undefined {
  if (!(error instanceof Error)) return undefined;
  const {code, path: file, syscall, dest} = error as NodeJS.ErrnoException & {dest?: string};
  if (code === undefined || file === undefined) return undefined;
  const reason = REASONS[code];
  if (!reason) return undefined;
  const verb = (syscall && VERBS[syscall]) ?? syscall ?? 'use';
  const where = dest ? `${file} to ${dest}` : file;
  return new SidecarError('SIDECAR_FILESYSTEM', `cannot ${verb} ${where}: ${reason.what} (${code})`, {suggestion: reason.fix(file), cause: error});
}

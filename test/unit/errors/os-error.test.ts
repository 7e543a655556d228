import {describe, expect, it} from 'vitest';
import {fromOsError} from '../../../src/errors/index.js';

const osError = (code: string, syscall: string, file: string): Error => Object.assign(new Error(`${code}: ${syscall} '${file}'`), {code, syscall, path: file});

describe('fromOsError (issue 9.12)', () => {
  it.each([
    ['EACCES', 'mkdir', 'cannot create /p/.sidecar: permission denied (EACCES)', 'ls -ld /p/.sidecar'],
    ['EROFS', 'open', 'cannot open /p/.sidecar: read-only file system (EROFS)', 'writable'],
    ['ENOSPC', 'write', 'cannot write /p/.sidecar: no space left on the device (ENOSPC)', 'df -h /p/.sidecar'],
    ['ELOOP', 'open', 'cannot open /p/.sidecar: it is a symlink (or a loop of them) (ELOOP)', 'remove the symlink /p/.sidecar'],
    ['ENOTDIR', 'mkdir', 'cannot create /p/.sidecar: a part of the path is a file, not a directory (ENOTDIR)', 'move away'],
    ['EPERM', 'unlink', 'cannot remove /p/.sidecar: operation not permitted (EPERM)', 'lsattr'],
  ])('%s from %s names the path, what the OS said and a fix, exit 2', (code, syscall, message, fix) => {
    const error = fromOsError(osError(code, syscall, '/p/.sidecar'));
    expect(error).toMatchObject({code: 'SIDECAR_FILESYSTEM', message, exitCode: 2});
    expect(error?.suggestion).toContain(fix);
  });

  it('leaves alone what is not an OS error about a path', () => {
    expect(fromOsError(new Error('boom'))).toBeUndefined();
    expect(fromOsError(Object.assign(new Error('x'), {code: 'ECONNREFUSED', syscall: 'connect'}))).toBeUndefined();
    expect(fromOsError(osError('ENOENT', 'open', '/p/x'))).toBeUndefined();
    expect(fromOsError('EACCES')).toBeUndefined();
  });
});

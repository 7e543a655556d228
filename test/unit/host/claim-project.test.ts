import {describe, expect, it} from 'vitest';
import {projectFiles} from '../../../src/host/project-files.js';
import {unsettled} from '../../../src/host/claim-project.js';
import type {LockOwner} from '../../../src/host/project-lock.js';

const files = projectFiles('/tmp/proj');
const owner = (role: LockOwner['role']): LockOwner => ({pid: 4242, role, token: 't', since: 0});

// New user's trial: `down` said "`sidecar up` (pid N) holds the stack" of the
// supervisor, and told the user to run `sidecar down`, the command that just failed.
describe('unsettled: who holds the project, and what to do', () => {
  it('names a supervisor as the stack\'s supervisor, and tells `down` how to end it, not to run `down`', () => {
    const error = unsettled(files, owner('supervisor'), 30_000, 'down');
    expect(error.message).toBe('the stack\'s supervisor (pid 4242) holds the stack in /tmp/proj and it did not settle within 30s');
    expect(error.suggestion).toBe('it does not answer and has not exited: `sidecar ps` shows what still runs; `kill 4242` ends it (`kill -9 4242` if it stays), then `sidecar down` stops what it left');
  });

  it('tells `down` held up by another command to wait for it, then run `down` again', () => {
    const error = unsettled(files, owner('up'), 30_000, 'down');
    expect(error.message).toBe('`sidecar up` (pid 4242) holds the stack in /tmp/proj and it did not settle within 30s');
    expect(error.suggestion).toBe('`sidecar ps` shows it; wait for that command to finish, then run `sidecar down` again');
  });

  it('tells `up` held up by a supervisor or a command that `sidecar down` stops it', () => {
    expect(unsettled(files, owner('supervisor'), 30_000, 'up').suggestion).toBe('`sidecar ps` shows it; `sidecar down` stops it');
    expect(unsettled(files, owner('down'), 30_000, 'up').suggestion).toBe('`sidecar ps` shows it; `sidecar down` stops it (or wait for that command to finish)');
  });
});

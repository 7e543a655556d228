import {execFileSync} from 'node:child_process';
import {chmodSync, cpSync, mkdtempSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

// Imported FIRST by the files in this folder: the Docker suites they import then
// talk to a rootless Docker engine (issue 15.2): dockerd-rootless.sh run by the
// unprivileged user .ci/engines.sh creates, its socket under that user's
// runtime directory. Container addresses live in rootlesskit's network
// namespace there, unreachable from the host: probes must take published ports.
const user = process.env.SIDECAR_ROOTLESS_USER ?? 'sidecar-rootless';
function uidOf(name: string): string | undefined {
  try {
    return execFileSync('id', ['-u', name], {encoding: 'utf8'}).trim();
  } catch {
    return undefined;
  }
}
const uid = uidOf(user);
export const ROOTLESS_DOCKER = process.env.SIDECAR_ROOTLESS_HOST ?? `unix:///run/user/${uid ?? 'NO-SUCH-USER'}/docker.sock`;
process.env.DOCKER_HOST = ROOTLESS_DOCKER;
process.env.SIDECAR_ENGINE_UNDER_TEST = 'docker-rootless';

// The engine runs as that user: bind-mounted fixtures must be readable by it,
// wherever the checkout lives (a home directory of mode 0700, say). World-
// readable copies under the temp directory serve as the mounts' sources.
const source = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const copies = mkdtempSync(path.join(os.tmpdir(), 'sidecar-rootless-fixtures-'));
chmodSync(copies, 0o755);
cpSync(path.join(source, '../fixtures/programs'), path.join(copies, 'programs'), {recursive: true});
cpSync(path.join(source, 'docker'), path.join(copies, 'harness'), {recursive: true, filter: (p) => !p.endsWith('.ts')});
execFileSync('chmod', ['-R', 'a+rX', copies]);
process.env.SIDECAR_TEST_PROGRAMS_DIR = path.join(copies, 'programs');
process.env.SIDECAR_TEST_HARNESS_DIR = path.join(copies, 'harness');

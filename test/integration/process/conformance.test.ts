import {mkdtempSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {ProcessRuntime} from '../../../src/runtime/process/process-runtime.js';
import {service} from '../../helpers/manifest-builder.js';
import {conformanceSuite} from '../conformance/suite.js';
import {processesWithMark} from '../../helpers/proc-scan.js';

const programs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/programs');
const dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-conf-'));

conformanceSuite(() => new ProcessRuntime(), {
  service: (name, role, program, overrides) => service(name, role, {command: [process.execPath, path.join(programs, `${program}.js`)], workdir: dir, ...overrides}),
  manifestDir: () => dir,
  survivors: async (mark) => processesWithMark(mark),
  kill9: async (status) => {
    process.kill(status.pid!, 'SIGKILL');
  },
});

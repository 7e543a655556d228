// A supervisor in its own process, so a test can SIGKILL it (DESIGN 7).
// Reads the manifest as JSON from argv[2]; prints `READY <identities>` once the stack is up.
import type {Manifest} from '../../../src/manifest/types.js';
import {ProcessRuntime} from '../../../src/runtime/process/process-runtime.js';
import {Supervisor} from '../../../src/supervisor/supervisor.js';

const manifest = JSON.parse(process.argv[2]!) as Manifest;
const supervisor = new Supervisor({manifest, runtime: new ProcessRuntime()});
supervisor.on('log', (line) => process.stderr.write(`${line.service} | ${line.line}\n`));
await supervisor.start();
// Give the programs a moment to print (and install their signal handlers).
await new Promise((resolve) => setTimeout(resolve, 300));
process.stdout.write(`READY ${JSON.stringify(supervisor.identities())}\n`);
setInterval(() => {}, 1 << 30);

// Loaded with NODE_OPTIONS=--import by bench/docker-trace.js into every Node
// process of the CLI path (the CLI, the detached supervisor): one JSON line per
// mark to SIDECAR_TRACE_FILE, wall time in ms on the proxy's clock: the process
// start (performance.timeOrigin), the first load of dockerode and docker-modem
// (with how long it took), and the exit.
import {appendFileSync} from 'node:fs';
import Module from 'node:module';

const file = process.env.SIDECAR_TRACE_FILE;
if (file) {
  const role = process.argv.some((a) => a.endsWith('supervisor.js')) ? 'supervisor' : `cli ${process.argv.slice(2, 3).join(' ')}`;
  const now = () => performance.timeOrigin + performance.now();
  const mark = (what, at = now()) => appendFileSync(file, JSON.stringify({at, pid: process.pid, role, what}) + '\n');
  mark('process start', performance.timeOrigin);
  mark('trace hook loaded (node is up)');
  const load = Module._load;
  const seen = new Set();
  Module._load = function traced(request, parent, isMain) {
    if ((request !== 'dockerode' && request !== 'docker-modem') || seen.has(request)) return load.call(this, request, parent, isMain);
    seen.add(request);
    const started = now();
    const result = load.call(this, request, parent, isMain);
    mark(`require('${request}') took ${(now() - started).toFixed(1)} ms`, started);
    return result;
  };
  process.on('exit', (code) => mark(`exit ${code}`));
}

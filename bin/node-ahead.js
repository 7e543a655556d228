'use strict';
// Issue 13.1: a Node service made ahead of its turn (src/runtime/node-ahead.ts)
// starts up while the service before it gets ready, and waits here, in a
// `--require` of NODE_OPTIONS, before any code of the service runs: the line `go`
// on fd 3 (a socket from its supervisor) lets the service run; that socket's end
// (the start given up, the supervisor gone) ends this process, exit 0, having run
// nothing.
// The service first gets its environment back as it was given: NODE_OPTIONS as it
// was (or unset), no variable of ours, so nothing it starts waits here too.
// CommonJS (bin/package.json), node builtins only: loaded before the service's own code.
(function waitForGo() {
  const env = process.env;
  if (env.SIDECAR_GO_FD !== '3') return;
  if (env.SIDECAR_NODE_OPTIONS_WAS !== undefined) env.NODE_OPTIONS = env.SIDECAR_NODE_OPTIONS_WAS;
  else delete env.NODE_OPTIONS;
  delete env.SIDECAR_GO_FD;
  delete env.SIDECAR_NODE_OPTIONS_WAS;
  const fs = require('node:fs');
  // Only the socket its supervisor gave it: a process that got this environment
  // some other way (no fd 3, or another file there) runs as it would have.
  try {
    if (!fs.fstatSync(3).isSocket()) return;
  } catch {
    return;
  }
  const buffer = Buffer.alloc(8);
  let read;
  for (;;) {
    try {
      read = fs.readSync(3, buffer, 0, buffer.length, null);
      break;
    } catch (error) {
      // Blocking as given; should it not be, a short sleep between tries.
      if (error.code !== 'EAGAIN' && error.code !== 'EINTR') {
        read = 0;
        break;
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
  try {
    fs.closeSync(3);
  } catch {
    // Already closed: nothing to give back.
  }
  if (read >= 2 && buffer.toString('latin1', 0, 2) === 'go') return;
  process.exit(0);
})();

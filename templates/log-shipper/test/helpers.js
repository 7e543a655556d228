// Test helpers: real servers on 127.0.0.1 ephemeral ports, real child processes.
import {spawn} from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {fileURLToPath} from 'node:url';

export const templateDir = fileURLToPath(new URL('..', import.meta.url));

export async function startServer(handler) {
  const server = http.createServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    port: server.address().port,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

// Runs src/main.js as a real process and collects its output line by line.
export function startMain(env) {
  const child = spawn(process.execPath, ['src/main.js'], {cwd: templateDir, env: {...process.env, ...env}});
  const lines = {stdout: [], stderr: []};
  const waiters = new Set();
  for (const name of ['stdout', 'stderr']) {
    let rest = '';
    child[name].setEncoding('utf8').on('data', (data) => {
      const parts = (rest + data).split('\n');
      rest = parts.pop();
      lines[name].push(...parts);
      for (const waiter of waiters) waiter();
    });
  }
  // 'close' (not 'exit'): all output has been read by then.
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({code, signal})));
  return {
    child,
    lines,
    exited,
    // Resolves with the first JSON line on `stream` matching `predicate`.
    waitForJson(stream, predicate, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          for (const line of lines[stream]) {
            let value;
            try { value = JSON.parse(line); } catch { continue; }
            if (predicate(value)) {
              waiters.delete(check);
              clearTimeout(timer);
              resolve(value);
              return;
            }
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching ${stream} line within ${timeoutMs}ms: ${lines[stream].join('\n')}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

// A fresh directory under the OS temp dir; the returned function removes it.
export async function tempDir() {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'log-shipper-test-'));
  return {dir, remove: () => fs.rm(dir, {recursive: true, force: true})};
}

// Polls `condition` until it holds; bounded so a bug fails the test instead of hanging it.
export async function waitFor(condition, {timeoutMs = 5000, what = 'condition'} = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await sleep(10);
  }
  throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
}

import fs from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import {setTimeout as sleep} from 'node:timers/promises';

// Tells the app its config changed, the two ways apps usually listen:
// a signal (nginx, haproxy, postgres: SIGHUP) to the pid found in a pid file,
// or an HTTP POST (Prometheus' /-/reload style). Both when both are set.
export class Notifier {
  constructor({notifyPidFile, notifySignal, notifyUrl, notifyTimeoutMs, notifyRetries}) {
    Object.assign(this, {notifyPidFile, notifySignal, notifyUrl, notifyTimeoutMs, notifyRetries});
  }

  get enabled() {
    return Boolean(this.notifyPidFile || this.notifyUrl);
  }

  async notify(details) {
    if (this.notifyPidFile) await this.signal();
    if (this.notifyUrl) await this.post(details);
  }

  // The pid is read at each notification: the app may have restarted since.
  async signal() {
    const text = (await fs.readFile(this.notifyPidFile, 'utf8')).trim();
    const pid = Number(text);
    if (!Number.isInteger(pid) || pid <= 1) throw new Error(`${this.notifyPidFile} does not hold a pid: "${text}"`);
    process.kill(pid, this.notifySignal);
  }

  // Retried with backoff: the app may be restarting right when config changes.
  async post(details) {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await postJson(this.notifyUrl, details, this.notifyTimeoutMs);
      } catch (error) {
        if (attempt > this.notifyRetries) throw error;
        await sleep(100 * 2 ** (attempt - 1));
      }
    }
  }
}

function postJson(url, body, timeoutMs) {
  const data = JSON.stringify(body);
  const client = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, {
      method: 'POST',
      headers: {'content-type': 'application/json', 'content-length': Buffer.byteLength(data)},
      timeout: timeoutMs,
    }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode >= 200 && res.statusCode < 300 ? resolve() : reject(new Error(`${url} answered ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error(`${url} did not answer within ${timeoutMs}ms`)));
    req.on('error', reject);
    req.end(data);
  });
}

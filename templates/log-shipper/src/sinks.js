import http from 'node:http';
import https from 'node:https';

// Where batches go. A sink's send() resolves only once the batch is safely
// handed over; that resolution is the acknowledgement the offsets wait for.

// stdout: for `sidecar logs`, or a collector that reads the container's output.
export class StdoutSink {
  send(records) {
    const body = records.map((record) => JSON.stringify(record)).join('\n') + '\n';
    return new Promise((resolve, reject) => process.stdout.write(body, (error) => (error ? reject(error) : resolve())));
  }
}

// HTTP: one POST of newline-delimited JSON per batch; any 2xx acknowledges it.
export class HttpSink {
  constructor(url, timeoutMs) {
    this.url = new URL(url);
    this.timeoutMs = timeoutMs;
  }

  send(records) {
    const body = records.map((record) => JSON.stringify(record)).join('\n') + '\n';
    const client = this.url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = client.request(this.url, {
        method: 'POST',
        headers: {'content-type': 'application/x-ndjson', 'content-length': Buffer.byteLength(body)},
        timeout: this.timeoutMs,
      }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode >= 200 && res.statusCode < 300
          ? resolve()
          : reject(new Error(`${this.url.origin} answered ${res.statusCode}`))));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no answer from ${this.url.origin} within ${this.timeoutMs}ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}

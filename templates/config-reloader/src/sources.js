import fs from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';

// Where the config comes from. read() resolves with the current content (a
// Buffer), or null when there is none yet; it throws on a real failure.

export class FileSource {
  constructor(file) {
    this.file = file;
    this.description = file;
  }

  async read() {
    try {
      return await fs.readFile(this.file);
    } catch (error) {
      if (error.code === 'ENOENT') return null;
      throw error;
    }
  }
}

// Polled with If-None-Match / If-Modified-Since so an unchanged config costs a
// 304 and no body; the last body is kept to answer for a 304.
export class HttpSource {
  constructor(url, timeoutMs) {
    this.url = url;
    this.description = url;
    this.timeoutMs = timeoutMs;
    this.last = null;
  }

  read() {
    const client = this.url.startsWith('https:') ? https : http;
    const headers = {};
    if (this.last?.etag) headers['if-none-match'] = this.last.etag;
    if (this.last?.lastModified) headers['if-modified-since'] = this.last.lastModified;
    return new Promise((resolve, reject) => {
      const req = client.get(this.url, {headers, timeout: this.timeoutMs}, (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          if (res.statusCode === 304 && this.last) return resolve(this.last.body);
          if (res.statusCode === 404) return resolve(null);
          if (res.statusCode < 200 || res.statusCode >= 300) return reject(new Error(`${this.url} answered ${res.statusCode}`));
          const body = Buffer.concat(chunks);
          this.last = {body, etag: res.headers.etag, lastModified: res.headers['last-modified']};
          resolve(body);
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${this.url} did not answer within ${this.timeoutMs}ms`)));
      req.on('error', reject);
    });
  }
}

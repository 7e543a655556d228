import http from 'node:http';
import https from 'node:https';

// GET the app's JSON metrics. Anything but a 2xx with a JSON body is an error,
// which the exporter turns into `<prefix>_scrape_success 0`.
export function scrapeJson(url, timeoutMs) {
  const client = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.get(url, {headers: {accept: 'application/json'}, timeout: timeoutMs}, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        if (res.statusCode < 200 || res.statusCode >= 300) return reject(new Error(`${url} answered ${res.statusCode}`));
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (error) {
          reject(new Error(`${url} did not return JSON: ${error.message}`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${url} did not answer within ${timeoutMs}ms`)));
    req.on('error', reject);
  });
}

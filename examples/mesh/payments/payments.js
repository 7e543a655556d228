// The payments app: captures a payment per order with an idempotent
// `PUT /payments/ORDER_ID` (so the callers' proxies may retry it safely), and
// serves its counters as JSON at /metrics.json for the metrics-exporter sidecar.
// It only ever sees traffic from its own ingress proxy: each answer carries the
// X-Forwarded-For trail the proxies appended, one address per proxy hop.
import http from 'node:http';

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 18185);
const payments = new Map();
let amountTotal = 0;

function send(res, status, body) {
  res.writeHead(status, {'content-type': 'application/json'});
  res.end(JSON.stringify(body) + '\n');
}

function readJson(req) {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      try {
        resolve(text === '' ? {} : JSON.parse(text));
      } catch (error) {
        reject(error);
      }
    });
    req.on('error', reject);
  });
}

async function capture(req, res, orderId) {
  const body = await readJson(req).catch(() => undefined);
  if (!body || !Number.isFinite(body.amount) || body.amount <= 0) return send(res, 400, {error: 'expected {"amount": <positive number>}'});
  const trail = String(req.headers['x-forwarded-for'] ?? '').split(',').map((hop) => hop.trim()).filter(Boolean);
  // A retried PUT finds the payment already captured and answers the same.
  if (!payments.has(orderId)) {
    payments.set(orderId, {payment: `pay-${payments.size + 1}`, order: orderId, amount: body.amount, status: 'captured'});
    amountTotal += body.amount;
  }
  const payment = payments.get(orderId);
  console.log(`payments: ${req.method} ${req.url} -> ${payment.payment} (${trail.length} proxy hops: ${trail.join(', ') || 'none'})`);
  send(res, 200, {...payment, forwardedFor: trail, requestId: req.headers['x-request-id'] ?? null});
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://payments');
  if (url.pathname === '/healthz') return send(res, 200, {status: 'ok'});
  if (url.pathname === '/metrics.json') return send(res, 200, {payments_total: payments.size, amount_total: amountTotal, up: true});
  const match = /^\/payments\/([\w-]{1,64})$/.exec(url.pathname);
  if (match && req.method === 'PUT') return void capture(req, res, match[1]).catch((error) => send(res, 500, {error: error.message}));
  send(res, 404, {error: 'not found', paths: ['PUT /payments/ORDER_ID', '/metrics.json', '/healthz']});
});

server.listen(port, host, () => console.log(`payments: listening on http://${host}:${port}`));

// Stop promptly on the supervisor's signal: close idle keep-alive connections too.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    console.log(`payments: ${signal}, closing`);
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}

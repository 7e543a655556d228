/* global AbortSignal */
// The orders app: `POST /orders {"item", "amount"}` creates an order and pays
// for it by calling payments. It knows payments only as PAYMENTS_URL, its own
// egress proxy on the pod's loopback: the proxy finds payments (its ingress
// proxy, at ${pods.payments.host}) and retries or breaks the circuit for it.
import {randomUUID} from 'node:crypto';
import http from 'node:http';

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 18180);
const paymentsUrl = process.env.PAYMENTS_URL ?? 'http://127.0.0.1:18181';

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

async function createOrder(req, res) {
  const body = await readJson(req).catch(() => undefined);
  if (!body || typeof body.item !== 'string' || !Number.isFinite(body.amount)) return send(res, 400, {error: 'expected {"item": "...", "amount": <number>}'});
  // Unique across restarts too: payments captures each order id once.
  const order = `ord-${randomUUID().slice(0, 8)}`;
  const requestId = req.headers['x-request-id'] ?? order;
  // PUT with the order id: idempotent, so the egress proxy may retry it.
  const answer = await fetch(`${paymentsUrl}/payments/${order}`, {
    method: 'PUT',
    headers: {'content-type': 'application/json', 'x-request-id': requestId},
    body: JSON.stringify({amount: body.amount}),
    signal: AbortSignal.timeout(10_000),
  }).catch((error) => ({status: 0, error}));
  if (answer.status !== 200) {
    const why = answer.error ? answer.error.cause?.message ?? answer.error.message : `${answer.status} ${await answer.text()}`;
    console.log(`orders: ${order} not paid: ${why.trim()}`);
    return send(res, 502, {order, error: `payments did not capture the payment: ${why.trim()}`});
  }
  const payment = await answer.json();
  console.log(`orders: ${order} (${body.item}) paid by ${payment.payment}`);
  send(res, 201, {order, item: body.item, amount: body.amount, requestId, payment});
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://orders');
  if (url.pathname === '/healthz') return send(res, 200, {status: 'ok'});
  if (url.pathname === '/orders' && req.method === 'POST') return void createOrder(req, res).catch((error) => send(res, 500, {error: error.message}));
  send(res, 404, {error: 'not found', paths: ['POST /orders', '/healthz']});
});

server.listen(port, host, () => console.log(`orders: listening on http://${host}:${port}, payments via ${paymentsUrl}`));

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    console.log(`orders: ${signal}, closing`);
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}

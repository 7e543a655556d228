/* global AbortSignal */
// The mesh's smoke test, run on the host by
//   sidecar run -f examples/mesh/sidecar.yaml -- node examples/mesh/smoke.js
// It places orders from outside, checks each one was paid by the payments app
// through both proxies (orders' egress, then payments' ingress: two hops in
// X-Forwarded-For, the request id carried end to end), then checks the
// proxies' own /metrics and the metrics exporter counted those calls.
// Exit 0 on success, 1 with a reason.
const env = process.env;
// The way in: `sidecar run` says where orders/app's published port answers
// (SIDECAR_ORDERS_APP_*). The admin and exporter ports are published on the
// same port number under both runtimes, so the manifest's *_PORT variables
// (or their defaults) name them.
const orders = `http://${env.SIDECAR_ORDERS_APP_HOST ?? '127.0.0.1'}:${env.SIDECAR_ORDERS_APP_PORT ?? env.ORDERS_PORT ?? 18180}`;
const egressAdmin = `http://127.0.0.1:${env.EGRESS_ADMIN_PORT || 18182}`;
const ingressAdmin = `http://127.0.0.1:${env.INGRESS_ADMIN_PORT || 18184}`;
const exporter = `http://127.0.0.1:${env.EXPORTER_PORT || 18186}`;
const ORDERS = 3;
const WAIT_MS = 10_000;

function fail(message) {
  console.error(`smoke: FAILED: ${message}`);
  process.exit(1);
}

async function get(url) {
  const response = await fetch(url, {signal: AbortSignal.timeout(3000)}).catch((error) => fail(`${url} did not answer: ${error.cause?.message ?? error.message}`));
  if (response.status !== 200) fail(`${url} answered ${response.status}`);
  return response.text();
}

// One sample of a Prometheus text exposition, 0 when the series is absent.
function sample(text, series) {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

async function counters() {
  return {
    egress: sample(await get(`${egressAdmin}/metrics`), 'proxy_requests_total{status="200"}'),
    ingress: sample(await get(`${ingressAdmin}/metrics`), 'proxy_requests_total{status="200"}'),
    payments: sample(await get(`${exporter}/metrics`), 'payments_payments_total'),
  };
}

async function placeOrder(index) {
  const id = `smoke-${process.pid}-${index}`;
  const response = await fetch(`${orders}/orders`, {
    method: 'POST',
    headers: {'content-type': 'application/json', 'x-request-id': id},
    body: JSON.stringify({item: `book-${index}`, amount: 10 * index}),
    signal: AbortSignal.timeout(15_000),
  }).catch((error) => fail(`${orders} did not answer: ${error.cause?.message ?? error.message}`));
  const body = await response.json().catch(() => ({}));
  const payment = body.payment ?? {};
  const hops = payment.forwardedFor ?? [];
  console.log(`smoke: POST ${orders}/orders -> ${response.status}: ${body.order ?? '?'} paid by ${payment.payment ?? '?'}, via ${hops.length} proxies (X-Forwarded-For: ${hops.join(', ') || 'none'})`);
  if (response.status !== 201) fail(`expected 201 from orders, got ${response.status}: ${JSON.stringify(body)}`);
  if (payment.status !== 'captured' || payment.order !== body.order) fail(`payments did not capture ${body.order}: ${JSON.stringify(payment)}`);
  if (payment.requestId !== id) fail(`payments saw request id ${payment.requestId}, not ${id}: the call did not come from this order`);
  if (hops.length !== 2) fail(`expected the call to cross two proxies (egress, ingress), X-Forwarded-For shows ${hops.length}`);
}

async function main() {
  const before = await counters();
  for (let index = 1; index <= ORDERS; index++) await placeOrder(index);
  // The counters are read after the answers, so they already hold these calls;
  // the deadline only covers a sidecar that restarts meanwhile.
  const deadline = Date.now() + WAIT_MS;
  let after;
  for (;;) {
    after = await counters();
    const grown = Object.keys(before).every((key) => after[key] - before[key] >= ORDERS);
    if (grown) break;
    if (Date.now() > deadline) fail(`after ${WAIT_MS / 1000}s the counters grew by ${JSON.stringify(Object.fromEntries(Object.keys(before).map((k) => [k, after[k] - before[k]])))}, expected ${ORDERS} each`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  console.log(`smoke: orders' egress proxy answered ${after.egress - before.egress} more 200s (${egressAdmin}/metrics)`);
  console.log(`smoke: payments' ingress proxy answered ${after.ingress - before.ingress} more 200s (${ingressAdmin}/metrics)`);
  console.log(`smoke: the metrics exporter sees payments_payments_total ${after.payments} (${exporter}/metrics)`);
  console.log('smoke: OK');
}

main().catch((error) => fail(error.message));

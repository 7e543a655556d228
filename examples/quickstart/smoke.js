/* global AbortSignal */
// The quickstart's smoke test, run on the host by
//   sidecar run -f examples/quickstart/sidecar.yaml -- node examples/quickstart/smoke.js
// It sends requests through the proxy sidecar, checks each answer came from the
// app via the proxy, then waits until the log-tailer sidecar has read every
// request's line from the shared volume. Exit 0 on success, 1 with a reason.
const proxy = `http://${process.env.SIDECAR_PROXY_HOST ?? '127.0.0.1'}:${process.env.SIDECAR_PROXY_PORT ?? 18080}`;
const tailer = `http://${process.env.SIDECAR_TAILER_HOST ?? '127.0.0.1'}:${process.env.SIDECAR_TAILER_PORT ?? 18090}`;
const REQUESTS = 3;
const WAIT_MS = 10_000;

function fail(message) {
  console.error(`smoke: FAILED: ${message}`);
  process.exit(1);
}

async function main() {
  const ids = Array.from({length: REQUESTS}, (_, i) => `smoke-${process.pid}-${i + 1}`);
  for (const [index, id] of ids.entries()) {
    const response = await fetch(`${proxy}/hello/${index + 1}`, {headers: {'x-request-id': id}, signal: AbortSignal.timeout(3000)}).catch((error) => fail(`${proxy} did not answer: ${error.cause?.message ?? error.message}`));
    const body = await response.text();
    const via = response.headers.get('x-proxied-by');
    console.log(`smoke: GET ${proxy}/hello/${index + 1} -> ${response.status} via ${via ?? '(no proxy header)'}: ${body.trim()}`);
    if (response.status !== 200) fail(`expected 200 from the app, got ${response.status}`);
    if (via !== 'quickstart-proxy') fail('the answer did not come through the proxy sidecar (no x-proxied-by header)');
    if (!body.includes(id)) fail(`the app did not see request ${id}`);
  }

  const deadline = Date.now() + WAIT_MS;
  let lines = [];
  while (Date.now() < deadline) {
    try {
      lines = (await (await fetch(`${tailer}/lines`, {signal: AbortSignal.timeout(2000)})).json()).lines;
    } catch {
      // the tailer may be restarting: try again until the deadline
    }
    if (ids.every((id) => lines.some((line) => line.includes(`id=${id}`)))) {
      console.log(`smoke: the log tailer read all ${REQUESTS} requests from the shared volume`);
      console.log('smoke: OK');
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  fail(`after ${WAIT_MS / 1000}s the log tailer has seen ${lines.length} lines but not all of ${ids.join(', ')}`);
}

main().catch((error) => fail(error.message));

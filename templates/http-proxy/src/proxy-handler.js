import {setTimeout as sleep} from 'node:timers/promises';
import {backoffDelay} from './backoff.js';
import {endToEndHeaders, upstreamRequestHeaders} from './headers.js';
import {BodyTooLarge, readBody} from './read-body.js';
import {sendOnce} from './send-once.js';

// Only requests that are safe to send twice are retried (RFC 9110 9.2.2):
// retrying a POST could charge a card twice.
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
// Gateway errors mean "this upstream could not serve it", not "the request is bad".
const RETRYABLE_STATUS = new Set([502, 503, 504]);

// The request loop: pick an upstream, try, classify, back off, try the next one.
export function createProxyHandler({pool, config, metrics, accessLog, agent}) {
  return async (req, res) => {
    const started = performance.now();
    const outcome = await forward(req, res, {pool, config, agent});
    metrics.recordRequest(outcome.status, outcome.tries);
    accessLog({
      method: req.method,
      path: req.url,
      status: outcome.status,
      upstream: outcome.upstream,
      duration_ms: Math.round((performance.now() - started) * 10) / 10,
      tries: outcome.tries,
    });
  };
}

async function forward(req, res, {pool, config, agent}) {
  let body;
  try {
    body = await readBody(req, config.maxBodyBytes);
  } catch (error) {
    const status = error instanceof BodyTooLarge ? 413 : 400;
    return reply(res, status, {error: error.message}, {tries: 0, upstream: null});
  }
  const maxTries = IDEMPOTENT.has(req.method) ? config.retries + 1 : 1;
  let tries = 0;
  let lastFailure;
  while (tries < maxTries) {
    if (tries > 0) await sleep(backoffDelay(tries, config));
    if (res.destroyed) return {status: 499, tries, upstream: lastFailure?.upstream ?? null};
    const member = pool.pick();
    if (!member) break;
    tries += 1;
    const headers = upstreamRequestHeaders(req, member, body.length);
    try {
      const upstreamRes = await sendOnce({
        upstream: member, method: req.method, path: req.url, headers, body, timeoutMs: config.tryTimeoutMs, agent,
      });
      const status = upstreamRes.statusCode;
      if (RETRYABLE_STATUS.has(status)) member.breaker.onFailure();
      else member.breaker.onSuccess();
      if (RETRYABLE_STATUS.has(status) && tries < maxTries) {
        upstreamRes.resume();
        lastFailure = {status, upstream: member.id};
        continue;
      }
      relay(upstreamRes, res);
      return {status, tries, upstream: member.id};
    } catch (error) {
      member.breaker.onFailure();
      lastFailure = {status: error.kind === 'timeout' ? 504 : 502, upstream: member.id, message: error.message};
    }
  }
  // Every breaker open before any try: fail fast, the upstreams need their cooldown.
  if (!lastFailure) return reply(res, 503, {error: 'no upstream available (all circuits open)'}, {tries, upstream: null});
  return reply(res, lastFailure.status, {error: lastFailure.message ?? `upstream answered ${lastFailure.status}`}, {tries, upstream: lastFailure.upstream});
}

function relay(upstreamRes, res) {
  // The client may have gone while we waited: free the upstream socket now.
  if (res.destroyed) return upstreamRes.destroy();
  res.writeHead(upstreamRes.statusCode, upstreamRes.statusMessage, endToEndHeaders(upstreamRes.headers));
  upstreamRes.pipe(res);
  upstreamRes.on('error', () => res.destroy());
  res.on('close', () => upstreamRes.destroy());
}

function reply(res, status, body, outcome) {
  if (!res.headersSent && !res.destroyed) {
    res.writeHead(status, {'content-type': 'application/json'});
    res.end(JSON.stringify(body));
  }
  return {status, ...outcome};
}

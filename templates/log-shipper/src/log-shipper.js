import os from 'node:os';
import {Batcher} from './batcher.js';
import {closeServer, listen} from './close-server.js';
import {createHealthServer} from './health.js';
import {log} from './log.js';
import {OffsetStore} from './offset-store.js';
import {HttpSink, StdoutSink} from './sinks.js';
import {TailSet} from './tail-set.js';

// Wires tailing -> enrichment -> batching -> sink -> offset file, and runs the
// poll loop. Tests call it with port 0 and a custom sink; main.js with env config.
export async function startLogShipper(config, {sink = defaultSink(config)} = {}) {
  const store = new OffsetStore(config.offsetFile);
  const committed = await store.load();
  const host = os.hostname();
  let lastError = null;

  const batcher = new Batcher({
    sink,
    batchSize: config.batchSize,
    intervalMs: config.batchIntervalMs,
    retryBaseMs: config.retryBaseMs,
    retryMaxMs: config.retryMaxMs,
    onError(error, attempt) {
      lastError = error.message;
      log('ship failed, will retry', {error: error.message, attempt});
    },
    // Acknowledged: now (and only now) the offsets may move past these lines.
    async onAck(batch) {
      lastError = null;
      for (const item of batch) committed.set(item.key, {file: item.file, offset: item.offset});
      await store.save(offsetsToKeep());
    },
  });

  const tails = new TailSet(config, {
    committed,
    onLines(tail, lines) {
      const ts = new Date().toISOString();
      batcher.add(lines.map((line) => ({
        key: tail.key,
        file: tail.name,
        offset: line.offset,
        record: {ts, service: config.service, host, file: tail.name, line: line.text},
      })));
    },
  });

  // Entries for files still followed or with lines in flight; the rest are done.
  function offsetsToKeep() {
    const live = new Set([...tails.tails.keys(), ...batcher.pending.map((item) => item.key)]);
    return [...committed].filter(([key]) => live.has(key));
  }

  let running = true;
  let timer;
  let current = Promise.resolve();
  const tick = () => {
    current = tails.poll(() => config.maxBufferedLines - batcher.size)
      .catch((error) => log('poll failed', {error: error.message}))
      .finally(() => {
        if (running) timer = setTimeout(tick, config.pollIntervalMs);
      });
  };
  tick();

  const healthServer = createHealthServer(() => ({files: tails.tails.size, pending: batcher.size, lastError}));
  const healthPort = await listen(healthServer, config.healthPort, config.host);

  return {
    healthPort,
    tails,
    batcher,
    // Read no more, ship what was read (bounded by the grace period), record it.
    async close() {
      running = false;
      clearTimeout(timer);
      await current;
      await batcher.stop(config.shutdownGraceMs);
      // Before closing the tails: their keys decide which offsets are kept.
      await store.save(offsetsToKeep());
      await tails.close();
      await closeServer(healthServer, 1000);
    },
  };
}

function defaultSink(config) {
  return config.shipUrl ? new HttpSink(config.shipUrl, config.shipTimeoutMs) : new StdoutSink();
}


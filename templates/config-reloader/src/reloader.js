import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {writeAtomically} from './atomic-write.js';

// The reload loop: read the source (every POLL_INTERVAL_MS, and at once when a
// watched file changes), compare by SHA-256, wait until it has been stable for
// DEBOUNCE_MS (an editor or a deploy writes several times in a row), write the
// target atomically, then notify the app.
// Identical content is never rewritten, so the app is not reloaded for nothing.
export class Reloader {
  constructor(config, {source, notifier, log}) {
    Object.assign(this, {config, source, notifier, log});
    this.status = {synced: false, hash: null, writes: 0, notifications: 0, lastError: null};
    this.latest = undefined;
    this.writtenHash = null;
    this.applying = Promise.resolve();
  }

  async start() {
    this.writtenHash = await hashOfFile(this.config.target);
    this.status.hash = this.writtenHash;
    await this.check();
    await this.applying;
    this.schedulePoll();
    this.watch();
  }

  // Coalesced: a trigger that arrives during a read causes one more read after it.
  check() {
    if (this.checking) {
      this.recheck = true;
      return this.checking;
    }
    this.checking = this.checkOnce().finally(() => {
      this.checking = undefined;
      if (this.recheck && !this.stopped) {
        this.recheck = false;
        this.check();
      }
    });
    return this.checking;
  }

  async checkOnce() {
    let content;
    try {
      content = await this.source.read();
    } catch (error) {
      return this.fail('source unreadable', error);
    }
    if (content === null) return this.fail('source missing', new Error(`${this.source.description} does not exist`));
    const hash = sha256(content);
    if (hash === this.latest?.hash) return;
    this.latest = {content, hash};
    // The first sync is not debounced: the app may be waiting for its config.
    if (!this.status.synced) return this.queueApply();
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.queueApply(), this.config.debounceMs);
  }

  // Applies run one at a time, so two renames never race.
  queueApply() {
    this.applying = this.applying.then(() => this.apply()).catch((error) => this.fail('write failed', error));
    return this.applying;
  }

  async apply() {
    const {content, hash} = this.latest;
    // Only replacing a config the app has already read is worth a notification;
    // a first write is read by the app when it starts.
    const changed = hash !== this.writtenHash;
    const replacing = changed && this.writtenHash !== null;
    if (changed) {
      await writeAtomically(this.config.target, content);
      this.writtenHash = hash;
      this.status.writes += 1;
      this.log('config written', {target: this.config.target, sha256: hash, bytes: content.length});
    }
    this.status.hash = hash;
    this.status.synced = true;
    if (replacing && this.notifier.enabled) await this.notify(hash);
  }

  async notify(hash) {
    try {
      await this.notifier.notify({target: this.config.target, sha256: hash});
      this.status.notifications += 1;
      this.log('app notified', {sha256: hash});
    } catch (error) {
      this.fail('notify failed', error);
    }
  }

  // Kept (not cleared on success) so /healthz shows what went wrong last, and when.
  fail(what, error) {
    this.status.lastError = `${new Date().toISOString()} ${what}: ${error.message}`;
    this.log(what, {error: error.message});
  }

  schedulePoll() {
    this.pollTimer = setTimeout(() => this.check().finally(() => {
      if (!this.stopped) this.schedulePoll();
    }), this.config.pollIntervalMs);
  }

  // Watching the directory (not the file) also catches editors and
  // Kubernetes ConfigMaps that replace the file by a rename. Polling stays
  // the safety net: fs.watch is not reliable on every filesystem.
  watch() {
    if (!this.config.source.file) return;
    const {file} = this.config.source;
    try {
      this.watcher = fs.watch(path.dirname(file), {persistent: false}, (_event, name) => {
        if (!name || name === path.basename(file)) this.check();
      });
      this.watcher.on('error', () => this.watcher.close());
    } catch {
      // directory missing or not watchable: polling covers it
    }
  }

  // A change still in its debounce window is dropped: the next start syncs it.
  async stop() {
    this.stopped = true;
    clearTimeout(this.pollTimer);
    clearTimeout(this.debounce);
    this.watcher?.close();
    await this.checking;
    await this.applying;
  }
}

function sha256(content) {
  return crypto.createHash('sha256').update(content).digest('hex');
}

async function hashOfFile(file) {
  try {
    return sha256(await fs.promises.readFile(file));
  } catch (error) {
    if (error.code === 'ENOENT') return null;
    throw error;
  }
}

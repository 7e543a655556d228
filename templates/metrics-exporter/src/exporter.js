import {render, toFamilies} from './exposition.js';
import {flatten} from './flatten.js';
import {scrapeJson} from './scrape.js';

// Scrapes the app when Prometheus scrapes us, so values are never older than
// the scrape itself. With CACHE_MS > 0 a recent result is reused (protects a
// slow app from several scrapers), and concurrent scrapes share one request.
export class Exporter {
  constructor({targetUrl, prefix, cacheMs, scrapeTimeoutMs}, {log = () => {}} = {}) {
    Object.assign(this, {targetUrl, prefix, cacheMs, scrapeTimeoutMs, log});
    this.cached = undefined;
    this.inFlight = undefined;
  }

  async metricsText() {
    if (this.cached && Date.now() - this.cached.at < this.cacheMs) return this.cached.text;
    this.inFlight ??= this.collect().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  async collect() {
    const started = performance.now();
    let samples = [];
    let success = true;
    try {
      samples = flatten(await scrapeJson(this.targetUrl, this.scrapeTimeoutMs));
    } catch (error) {
      success = false;
      this.log('scrape failed', {target: this.targetUrl, error: error.message});
    }
    const durationSeconds = (performance.now() - started) / 1000;
    const text = render(toFamilies(this.prefix, samples, {success, durationSeconds}));
    this.cached = {at: Date.now(), text};
    return text;
  }
}

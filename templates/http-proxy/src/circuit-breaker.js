// One breaker per upstream: after `threshold` consecutive failures it opens and
// the upstream gets no traffic for `cooldownMs`; then one trial request
// (half-open) decides between closing it again and another cooldown.
// This stops a dead upstream from costing every request a timeout.
// `now` is injectable so the state machine can be driven without waiting.
export class CircuitBreaker {
  constructor({threshold, cooldownMs, now = Date.now}) {
    this.threshold = threshold;
    this.cooldownMs = cooldownMs;
    this.now = now;
    this.phase = 'closed';
    this.failures = 0;
    this.openedAt = 0;
    this.trialInFlight = false;
  }

  // Open turns half-open lazily, when the cooldown is over and someone asks.
  get state() {
    if (this.phase === 'open' && this.now() - this.openedAt >= this.cooldownMs) return 'half-open';
    return this.phase;
  }

  // Claims the right to send one request; in half-open only one trial at a time.
  tryAcquire() {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'half-open' && (this.phase === 'open' || !this.trialInFlight)) {
      this.phase = 'half-open';
      this.trialInFlight = true;
      return true;
    }
    return false;
  }

  onSuccess() {
    this.phase = 'closed';
    this.failures = 0;
    this.trialInFlight = false;
  }

  onFailure() {
    this.failures += 1;
    if (this.phase === 'half-open' || this.failures >= this.threshold) this.trip();
  }

  // The request ended without telling us anything (e.g. the client went away).
  release() {
    this.trialInFlight = false;
  }

  trip() {
    this.phase = 'open';
    this.openedAt = this.now();
    this.failures = 0;
    this.trialInFlight = false;
  }
}

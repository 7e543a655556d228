import assert from 'node:assert/strict';
import {test} from 'node:test';
import {CircuitBreaker} from '../src/circuit-breaker.js';

// The state machine on a hand-driven clock: no waiting, no flakiness.
test('opens after N consecutive failures, half-opens after the cooldown, closes on success', () => {
  let now = 0;
  const breaker = new CircuitBreaker({threshold: 3, cooldownMs: 1000, now: () => now});
  for (let i = 0; i < 2; i += 1) {
    assert.equal(breaker.tryAcquire(), true);
    breaker.onFailure();
  }
  assert.equal(breaker.state, 'closed');
  breaker.onFailure();
  assert.equal(breaker.state, 'open');
  assert.equal(breaker.tryAcquire(), false);

  now = 999;
  assert.equal(breaker.tryAcquire(), false);
  now = 1000;
  assert.equal(breaker.state, 'half-open');
  assert.equal(breaker.tryAcquire(), true, 'one trial request');
  assert.equal(breaker.tryAcquire(), false, 'only one trial at a time');
  breaker.onSuccess();
  assert.equal(breaker.state, 'closed');
});

test('a failed trial re-opens for another cooldown', () => {
  let now = 0;
  const breaker = new CircuitBreaker({threshold: 1, cooldownMs: 100, now: () => now});
  breaker.onFailure();
  now = 100;
  assert.equal(breaker.tryAcquire(), true);
  breaker.onFailure();
  assert.equal(breaker.state, 'open');
  now = 150;
  assert.equal(breaker.tryAcquire(), false);
  now = 200;
  assert.equal(breaker.tryAcquire(), true);
});

test('a success resets the consecutive failure count', () => {
  const breaker = new CircuitBreaker({threshold: 2, cooldownMs: 100});
  breaker.onFailure();
  breaker.onSuccess();
  breaker.onFailure();
  assert.equal(breaker.state, 'closed');
});

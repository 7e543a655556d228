import {CircuitBreaker} from './circuit-breaker.js';

// Round-robin over the upstreams whose breaker admits a request. Skipping open
// ones (instead of failing on them) is what makes the breaker useful.
export class UpstreamPool {
  constructor(upstreams, breakerOptions) {
    this.members = upstreams.map((upstream) => ({...upstream, breaker: new CircuitBreaker(breakerOptions)}));
    this.cursor = 0;
  }

  // Returns the next admissible member, or undefined when every breaker is open.
  pick() {
    const count = this.members.length;
    for (let offset = 0; offset < count; offset += 1) {
      const index = (this.cursor + offset) % count;
      const member = this.members[index];
      if (member.breaker.tryAcquire()) {
        this.cursor = (index + 1) % count;
        return member;
      }
    }
    return undefined;
  }
}

// Counters kept in memory and rendered in the Prometheus text format (0.0.4),
// so any Prometheus-compatible scraper can watch the proxy without a library.
const BREAKER_STATES = ['closed', 'open', 'half-open'];

export class ProxyMetrics {
  constructor() {
    this.requestsByStatus = new Map();
    this.retries = 0;
  }

  recordRequest(status, tries) {
    this.requestsByStatus.set(status, (this.requestsByStatus.get(status) ?? 0) + 1);
    this.retries += Math.max(0, tries - 1);
  }

  // Breaker state is one-hot per (upstream, state), the usual Prometheus idiom for enums.
  render(pool) {
    const lines = [
      '# HELP proxy_requests_total Requests answered, by HTTP status.',
      '# TYPE proxy_requests_total counter',
    ];
    for (const [status, count] of [...this.requestsByStatus].sort(([a], [b]) => a - b)) {
      lines.push(`proxy_requests_total{status="${status}"} ${count}`);
    }
    lines.push(
      '# HELP proxy_retries_total Extra tries made after a failed try.',
      '# TYPE proxy_retries_total counter',
      `proxy_retries_total ${this.retries}`,
      '# HELP proxy_upstream_breaker_state Circuit breaker state per upstream (1 = current state).',
      '# TYPE proxy_upstream_breaker_state gauge',
    );
    for (const member of pool.members) {
      const current = member.breaker.state;
      for (const state of BREAKER_STATES) {
        lines.push(`proxy_upstream_breaker_state{upstream="${escapeLabel(member.id)}",state="${state}"} ${state === current ? 1 : 0}`);
      }
    }
    return lines.join('\n') + '\n';
  }
}

function escapeLabel(value) {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

// Prometheus metric names must match [a-zA-Z_:][a-zA-Z0-9_:]*. Every other
// character becomes `_`; colons too, since they are reserved for recording
// rules. Nested keys are joined with `_` under the configured prefix.
export function metricName(prefix, path) {
  const body = path.map((segment) => segment.replace(/[^a-zA-Z0-9_]/g, '_')).join('_');
  const name = prefix ? `${prefix}_${body}` : body;
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

// By convention a name ending in _total is a counter; everything else is a gauge.
export function metricType(name) {
  return name.endsWith('_total') ? 'counter' : 'gauge';
}

import {metricName, metricType} from './metric-name.js';

// Renders the Prometheus text exposition format (version 0.0.4): for each
// metric a HELP line, a TYPE line and its sample.
export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export function render(families) {
  return families.map(({name, type, help, value}) => [
    `# HELP ${name} ${escapeHelp(help)}`,
    `# TYPE ${name} ${type}`,
    `${name} ${formatValue(value)}`,
  ].join('\n')).join('\n') + '\n';
}

// The app's flattened values plus our own scrape metrics. Two JSON keys that
// sanitize to the same name would be a duplicate series, which Prometheus
// rejects: the first one wins, and our own metrics win over both.
export function toFamilies(prefix, samples, scrape) {
  const own = [
    {name: `${prefix}_scrape_success`, type: 'gauge', help: 'Whether the last scrape of the app succeeded (1) or not (0).', value: scrape.success ? 1 : 0},
    {name: `${prefix}_scrape_duration_seconds`, type: 'gauge', help: 'How long the last scrape of the app took.', value: scrape.durationSeconds},
  ];
  const taken = new Set(own.map((family) => family.name));
  const families = [];
  for (const {path, value} of samples) {
    const name = metricName(prefix, path);
    if (taken.has(name)) continue;
    taken.add(name);
    families.push({name, type: metricType(name), help: `JSON key ${path.join('.')} of the app's metrics`, value});
  }
  return [...families, ...own];
}

function escapeHelp(text) {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(value) {
  return Object.is(value, -0) ? '0' : String(value);
}

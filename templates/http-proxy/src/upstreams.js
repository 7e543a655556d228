import {ConfigError} from './env.js';

// UPSTREAMS="10.0.0.1:8080,api.internal:80,[::1]:9000" -> [{host, port, id}].
// Parsed once at start-up so a typo fails fast instead of on the first request.
export function parseUpstreams(list) {
  const upstreams = list.split(',').map((item) => item.trim()).filter(Boolean).map(parseOne);
  if (upstreams.length === 0) throw new ConfigError('UPSTREAMS must list at least one host:port');
  return upstreams;
}

function parseOne(item) {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(item);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port < 1 || port > 65535) {
    throw new ConfigError(`UPSTREAMS entry "${item}" must be host:port (IPv6 as [addr]:port)`);
  }
  return {host: match[1] ?? match[2], port, id: item};
}

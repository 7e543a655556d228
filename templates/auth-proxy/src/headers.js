// Hop-by-hop headers describe one connection, not the message (RFC 9110 7.6.1),
// so a proxy must not pass them on.
const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization',
  'te', 'trailer', 'transfer-encoding', 'upgrade',
]);

export function endToEndHeaders(headers) {
  const listed = String(headers.connection ?? '').toLowerCase().split(',').map((name) => name.trim());
  const result = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HOP_BY_HOP.has(name) && !listed.includes(name)) result[name] = value;
  }
  return result;
}

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

// What the upstream sees: the upstream's own Host (an ambassador talks to the
// remote service in its name) and the usual X-Forwarded-* trail.
export function upstreamRequestHeaders(req, upstream, bodyLength) {
  const headers = endToEndHeaders(req.headers);
  delete headers.expect;
  const clientIp = req.socket.remoteAddress ?? '';
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${clientIp}` : clientIp;
  headers['x-forwarded-host'] ??= req.headers.host ?? '';
  headers['x-forwarded-proto'] ??= 'http';
  headers.host = upstream.id;
  // The body is buffered (so it can be re-sent on retry): its length is known.
  if (bodyLength > 0 || req.headers['content-length'] !== undefined) headers['content-length'] = String(bodyLength);
  return headers;
}

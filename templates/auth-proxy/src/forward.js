import http from 'node:http';
import {endToEndHeaders} from './headers.js';

// Streams an authenticated request to the upstream and its answer back. The
// body is piped, not buffered: uploads of any size pass through.
// The client's Host is kept (the app sits behind us in the same pod and may
// build URLs from it); X-Forwarded-* tell it who really called.
export function forward(req, res, {upstream, agent, headers: clientHeaders, identity}) {
  const headers = {...endToEndHeaders(clientHeaders), ...identity};
  const clientIp = req.socket.remoteAddress ?? '';
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${clientIp}` : clientIp;
  headers['x-forwarded-proto'] ??= 'http';
  if (req.headers.host) headers['x-forwarded-host'] ??= req.headers.host;

  const upstreamReq = http.request({
    host: upstream.hostname, port: upstream.port || 80, method: req.method, path: req.url, headers, agent,
  });
  upstreamReq.on('response', (upstreamRes) => {
    res.writeHead(upstreamRes.statusCode, upstreamRes.statusMessage, endToEndHeaders(upstreamRes.headers));
    upstreamRes.pipe(res);
    upstreamRes.on('error', () => res.destroy());
  });
  upstreamReq.on('error', (error) => {
    if (res.headersSent) return res.destroy();
    res.writeHead(502, {'content-type': 'application/json'});
    res.end(JSON.stringify({error: 'bad_gateway', error_description: `upstream unavailable: ${error.code ?? error.message}`}));
  });
  // The client went away: stop the upstream work too.
  res.on('close', () => {
    if (!res.writableFinished) upstreamReq.destroy();
  });
  req.pipe(upstreamReq);
}

// Stop accepting, let in-flight requests finish, then cut what is left after
// `graceMs` so shutdown is bounded even with a slow client holding a socket.
export function closeServer(server, graceMs = 5000) {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

// Resolves with the bound port (useful when 0 asked the OS to pick one).
export function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address().port);
    });
  });
}

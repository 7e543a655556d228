import net from 'node:net';

// Ports this test process has handed out: two calls in a row may otherwise get
// the same port (the first listener is closed before the second asks), and one
// manifest with it twice is refused (seen once in 19 dry runs).
const handedOut = new Set<number>();

// A port nobody listens on right now on 127.0.0.1 (the kernel picks it), not handed out before by this process.
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await kernelPort();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('freePort: the kernel kept giving ports already handed out');
}

function kernelPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

// N distinct free ports: every listener is held open until all are chosen (two
// calls of freePort() in a row may both get the port the first one released).
export async function freePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
    }
    const ports = servers.map((server) => (server.address() as net.AddressInfo).port);
    for (const port of ports) handedOut.add(port);
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}

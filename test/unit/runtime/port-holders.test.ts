import net from 'node:net';
import {describe, expect, it} from 'vitest';
import {holdersOf, parseProcNet, socketsOnPorts} from '../../../src/runtime/process/port-holders.js';

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 340213 1 00000000a41f3874 100 0 0 10 0
   1: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 23 1 00000000fc96970d 100 0 0 10 0
   3: 0100007F:8967 0100007F:1F90 01 00000000:00000000 03:00000A2D 00000000     0        0 0 3 00000000f1c29b6b
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 777 1 0000000000000000 100 0 0 10 0
   1: 0000000000000000FFFF00000100007F:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 778 1 0000000000000000 100 0 0 10 0
`;

describe('who holds a port (issue 8.3)', () => {
  it('parses /proc/net/tcp{,6}: listening sockets only, addresses and ports decoded', () => {
    expect(parseProcNet(TCP, 'tcp')).toEqual([
      {protocol: 'tcp', address: '127.0.0.1', port: 8080, uid: 1000, inode: 340213},
      {protocol: 'tcp', address: '0.0.0.0', port: 2024, uid: 0, inode: 23},
    ]);
    expect(parseProcNet(TCP6, 'tcp')).toEqual([
      {protocol: 'tcp', address: '::1', port: 8080, uid: 0, inode: 777},
      {protocol: 'tcp', address: '::ffff:127.0.0.1', port: 80, uid: 0, inode: 778},
    ]);
  });

  it('finds a real listener and its process: this one', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const sockets = socketsOnPorts([{port, protocol: 'tcp'}]);
      expect(sockets).toEqual([expect.objectContaining({protocol: 'tcp', address: '127.0.0.1', port})]);
      const holders = holdersOf(new Set([sockets[0]!.inode]));
      expect(holders.get(sockets[0]!.inode)).toEqual([{pid: process.pid, command: expect.stringContaining('node')}]);
    } finally {
      server.close();
    }
    expect(socketsOnPorts([{port, protocol: 'tcp'}])).toEqual([]);
  });
});

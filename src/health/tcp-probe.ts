import net from 'node:net';
import type {TcpCheck} from '../manifest/types.js';
import {ProbeError, type Probe} from './probe.js';

type Endpoint = () => Promise<{host: string; port: number}>;

// Passes when a TCP connection opens (Kubernetes tcpSocket probe).
export class TcpProbe implements Probe {
  readonly description: string;

  constructor(check: TcpCheck, private readonly endpoint: Endpoint) {
    this.description = `tcp :${check.port}`;
  }

  async check(signal: AbortSignal): Promise<void> {
    const {host, port} = await this.endpoint();
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect({host, port});
      const fail = (message: string) => {
        socket.destroy();
        reject(new ProbeError(`${this.description}: ${message}`));
      };
      signal.addEventListener('abort', () => fail('timed out'), {once: true});
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', (error) => fail(error.message));
    });
  }
}

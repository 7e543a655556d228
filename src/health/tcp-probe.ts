import net from 'node:net';
import type {TcpCheck} from '../manifest/types.js';
import type {ProbeEndpoint} from '../runtime/types.js';
import {ProbeError, type CheckCancel, type Probe} from './probe.js';
import {refusedHint} from './refused-hint.js';

type Endpoint = () => Promise<ProbeEndpoint>;

// Passes when a TCP connection opens (Kubernetes tcpSocket probe).
export class TcpProbe implements Probe {
  readonly description: string;
  readonly cheap = true;

  constructor(check: TcpCheck, private readonly endpoint: Endpoint) {
    this.description = `tcp :${check.port}`;
  }

  async check(cancel: CheckCancel): Promise<void> {
    const endpoint = await this.endpoint();
    const {host, port} = endpoint;
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect({host, port});
      const fail = (message: string) => {
        socket.destroy();
        reject(new ProbeError(`${this.description}: ${message}`));
      };
      cancel.onAbort(() => fail('timed out'));
      socket.once('connect', () => {
        socket.destroy();
        if (!endpoint.confirmListening) return resolve();
        endpoint.confirmListening().then((why) => (why === undefined ? resolve() : fail(why)), () => resolve());
      });
      socket.once('error', (error) => void refusedHint(endpoint, error).then((hint) => fail(`${error.message}${hint}`)));
    });
  }
}

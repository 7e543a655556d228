import http from 'node:http';
import https from 'node:https';
import type {HttpCheck} from '../manifest/types.js';
import type {ProbeEndpoint} from '../runtime/types.js';
import {ProbeError, type Probe} from './probe.js';
import {refusedHint} from './refused-hint.js';

type Endpoint = () => Promise<ProbeEndpoint>;

// Passes on any 2xx/3xx answer, like a Kubernetes httpGet probe.
export class HttpProbe implements Probe {
  readonly description: string;
  readonly cheap = true;

  constructor(private readonly check_: HttpCheck, private readonly endpoint: Endpoint) {
    this.description = `${check_.scheme} GET :${check_.port}${check_.path}`;
  }

  async check(signal: AbortSignal): Promise<void> {
    const endpoint = await this.endpoint();
    const {host, port} = endpoint;
    const client = this.check_.scheme === 'https' ? https : http;
    const status = await new Promise<number>((resolve, reject) => {
      const request = client.get(
        {host, port, path: this.check_.path, headers: this.check_.headers, signal, agent: false, rejectUnauthorized: false},
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on('error', (error) => void refusedHint(endpoint, error).then((hint) => reject(new ProbeError(`${this.description}: ${error.message}${hint}`))));
    });
    if (status < 200 || status >= 400) throw new ProbeError(`${this.description}: HTTP ${status}`);
  }
}

import type https from 'node:https';
import {createRequire} from 'node:module';
import type {HttpCheck} from '../manifest/types.js';
import type {ProbeEndpoint} from '../runtime/types.js';
import {canGetPlainly, PlainHttpGetter} from './plain-http-get.js';
import {ProbeError, type CheckCancel, type Probe} from './probe.js';
import {refusedHint} from './refused-hint.js';

type Endpoint = () => Promise<ProbeEndpoint>;
// node:http and node:https on the first check that needs them: a plain http
// check never does (plain-http-get.ts), and they cost the supervisor's start
// a few ms (issue 13.1).
const load = createRequire(import.meta.url);

// Passes on any 2xx/3xx answer, like a Kubernetes httpGet probe.
export class HttpProbe implements Probe {
  readonly description: string;
  readonly cheap = true;
  // Issue 13.4: plain http without headers skips Node's http client (plain-http-get.ts).
  private readonly plain?: PlainHttpGetter;

  constructor(private readonly check_: HttpCheck, private readonly endpoint: Endpoint) {
    this.description = `${check_.scheme} GET :${check_.port}${check_.path}`;
    if (check_.scheme === 'http' && canGetPlainly(check_.path, check_.headers)) this.plain = new PlainHttpGetter();
  }

  async check(cancel: CheckCancel): Promise<void> {
    const endpoint = await this.endpoint();
    const status = this.plain ? await this.plainly(this.plain, endpoint, cancel) : await this.throughNodeHttp(endpoint, cancel.toSignal());
    if (status < 200 || status >= 400) throw new ProbeError(`${this.description}: HTTP ${status}`);
  }

  dispose(): void {
    this.plain?.dispose();
  }

  private plainly(getter: PlainHttpGetter, endpoint: ProbeEndpoint, cancel: CheckCancel): Promise<number> {
    return getter.get(endpoint.host, endpoint.port, this.check_.path, cancel).catch(async (error: Error) => {
      throw new ProbeError(`${this.description}: ${error.message}${await refusedHint(endpoint, error)}`);
    });
  }

  private throughNodeHttp(endpoint: ProbeEndpoint, signal: AbortSignal): Promise<number> {
    const {host, port} = endpoint;
    const client = (this.check_.scheme === 'https' ? load('node:https') : load('node:http')) as typeof https;
    return new Promise<number>((resolve, reject) => {
      const request = client.get(
        {host, port, path: this.check_.path, headers: this.check_.headers, signal, agent: false, rejectUnauthorized: false},
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on('error', (error) => void refusedHint(endpoint, error).then((hint) => reject(new ProbeError(`${this.description}: ${error.message}${hint}`))));
    });
  }
}

import type Docker from 'dockerode';
import type {EngineRequest} from '../../errors/engine-error.js';

type Dial = (options: {method?: string; path?: string}, callback: (error: unknown, data: unknown) => void) => unknown;

// Every call of this client goes through docker-modem's dial: an error from it
// carries the request it answered (method + path), so the error shown to the
// user names what was asked and of which container (src/errors/engine-error.ts).
export function annotateRequests(docker: Docker): Docker {
  const modem = (docker as unknown as {modem: {dial: Dial}}).modem;
  const dial = modem.dial.bind(modem);
  modem.dial = (options, callback) =>
    dial(options, (error, data) => {
      if (error !== null && typeof error === 'object' && !('engineRequest' in error)) {
        const request: EngineRequest = {method: options.method ?? 'GET', path: options.path ?? ''};
        Object.defineProperty(error, 'engineRequest', {value: request, enumerable: false});
      }
      callback(error, data);
    });
  return docker;
}

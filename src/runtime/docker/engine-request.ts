import type Docker from 'dockerode';
import type {EngineRequest} from '../../errors/engine-error.js';

type Dial = (options: {method?: string; path?: string}, callback: (error: unknown, data: unknown) => void) => unknown;
type BuildRequest = (options: Record<string, unknown>, ...rest: unknown[]) => unknown;

// Every call of this client goes through docker-modem's dial: an error from it
// carries the request it answered (method + path), so the error shown to the
// user names what was asked and of which container (src/errors/engine-error.ts).
//
// And no call follows a redirect: docker-modem follows up to 5 by default, to any
// host the engine's Location names, with no error handler on the new request.
// An engine API never redirects a request of ours; an attacker's trial made one
// (an image named "../../localhost/x": the engine cleaned the path and answered
// 301), which sent a request to another host and crashed the supervisor.
export function annotateRequests(docker: Docker): Docker {
  const modem = (docker as unknown as {modem: {dial: Dial; buildRequest: BuildRequest}}).modem;
  const buildRequest = modem.buildRequest.bind(modem);
  modem.buildRequest = (options, ...rest) => buildRequest(Object.assign(options, {maxRedirects: 0}), ...rest);
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

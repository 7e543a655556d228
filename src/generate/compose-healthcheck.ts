import {inContainer} from './container-env.js';
import type {HttpCheck, Service} from '../manifest/types.js';
import {goDuration} from './durations.js';
import type {LossList} from './loss.js';
import {shellJoin, shellQuote} from './shell-quote.js';

export interface ComposeHealthcheck {
  test: string[];
  interval: string;
  timeout: string;
  retries: number;
  start_period?: string;
}

// Compose runs a healthcheck inside the container, so an http or tcp probe
// becomes a command the image must provide. Try what small images usually carry
// (busybox/alpine wget and nc, curl, node) in turn; each failing tool falls through.
// The node scripts use only double quotes so they sit in single quotes unescaped.
function httpCommand(check: HttpCheck): string {
  const url = `${check.scheme}://127.0.0.1:${check.port}${check.path}`;
  const headers = Object.entries(check.headers);
  const wget = ['wget', '-q', '-O', '/dev/null', ...(check.scheme === 'https' ? ['--no-check-certificate'] : []), ...headers.flatMap(([k, v]) => ['--header', `${k}: ${v}`]), url];
  const curl = ['curl', '-fsS', '-o', '/dev/null', ...(check.scheme === 'https' ? ['-k'] : []), ...headers.flatMap(([k, v]) => ['-H', `${k}: ${v}`]), url];
  const options = JSON.stringify({headers: Object.fromEntries(headers), rejectUnauthorized: false});
  const script = `require(${JSON.stringify(check.scheme)}).get(${JSON.stringify(url)},${options},r=>process.exit(r.statusCode<400?0:1)).on("error",()=>process.exit(1))`;
  return `${shellJoin(wget)} 2>/dev/null || ${shellJoin(curl)} 2>/dev/null || node -e ${shellQuote(script)}`;
}

function tcpCommand(port: number): string {
  const script = `require("net").connect(${port},"127.0.0.1").on("connect",()=>process.exit(0)).on("error",()=>process.exit(1))`;
  return `nc -z 127.0.0.1 ${port} 2>/dev/null || node -e ${shellQuote(script)}`;
}

// The probe of one service, or undefined (with a loss) when Compose has no equivalent.
export function composeHealthcheck(service: Service, losses: LossList): ComposeHealthcheck | undefined {
  if (service.liveness) losses.add(service.id, 'liveness', 'Compose has one healthcheck per service and never restarts an unhealthy container: the liveness check is dropped');
  const health = service.health;
  if (!health) return undefined;
  const check = health.check;
  let test: string[];
  if (check.kind === 'exec') test = ['CMD', ...check.command.map((arg) => inContainer(service, arg))];
  else if (check.kind === 'http') {
    test = ['CMD-SHELL', httpCommand(check)];
    losses.add(service.id, 'health.http', 'Compose cannot probe HTTP from outside the image: the healthcheck runs wget, curl or node inside the container, and the image must have one of them');
  } else if (check.kind === 'tcp') {
    test = ['CMD-SHELL', tcpCommand(check.port)];
    losses.add(service.id, 'health.tcp', 'Compose cannot probe a port from outside the image: the healthcheck runs nc or node inside the container, and the image must have one of them');
  } else {
    losses.add(service.id, 'health.log', 'Compose has no log-line healthcheck: dropped, so services after it wait only until it has started');
    return undefined;
  }
  losses.add(undefined, 'health.startTimeout', 'Compose has no start deadline: a service whose probe never passes is not failed at startTimeout; its dependants wait until Docker marks it unhealthy (start_period + retries × interval)');
  return {
    test,
    interval: goDuration(health.intervalMs),
    timeout: goDuration(health.timeoutMs),
    retries: health.retries,
    ...(health.startPeriodMs > 0 ? {start_period: goDuration(health.startPeriodMs)} : {}),
  };
}

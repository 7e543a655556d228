import {inspect} from 'node:util';
import {SidecarError} from '../errors/index.js';

// What the Node API takes, checked where it is called (found by a new user's
// trial: `exec('app', 'echo hi')` ran `e`, the string spread into characters;
// `up({runtime: 'bogus'})` ran on processes; `up({timeoutMs: -5})` was taken).
// A value outside its domain is a SidecarError of code SIDECAR_USAGE (the CLI's
// usage error, exit 2) naming the call, the option, the value given and what it takes.

// What a timer can wait (Node's limit is 2^31-1 ms), in whole days: the CLI's --timeout range.
export const MAX_TIMEOUT_MS = 24 * 24 * 3_600_000;

export const RUNTIMES = ['auto', 'docker', 'process'] as const;

// A value as the user wrote it, short: "bogus", -5, NaN, [ 'app' ].
export function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  return inspect(value, {depth: 1, breakLength: Infinity, maxArrayLength: 5, maxStringLength: 60});
}

function usage(message: string, suggestion: string): SidecarError {
  return new SidecarError('SIDECAR_USAGE', message, {suggestion});
}

// One option of an options object: a check that returns what is wrong, or undefined.
export type OptionCheck = (value: unknown) => {wrong: string; takes: string} | undefined;

export const check = {
  string: (example: string): OptionCheck => (value) => (typeof value === 'string' && value !== '' ? undefined : {wrong: 'is not a non-empty string', takes: `a path, e.g. ${JSON.stringify(example)}`}),
  boolean: (): OptionCheck => (value) => (typeof value === 'boolean' ? undefined : {wrong: 'is not a boolean', takes: 'true or false'}),
  oneOf: (values: readonly string[]): OptionCheck => (value) => (typeof value === 'string' && values.includes(value) ? undefined : {wrong: `is not one of: ${values.join(', ')}`, takes: `one of: ${values.map((v) => `'${v}'`).join(', ')}`}),
  // Milliseconds for a timer: finite, within MAX_TIMEOUT_MS, above 0 (or from 0 where 0 means "at once").
  milliseconds: (min: 0 | 1): OptionCheck => (value) =>
    typeof value === 'number' && Number.isFinite(value) && value >= min && value <= MAX_TIMEOUT_MS
      ? undefined
      : {wrong: `is not a number of milliseconds from ${min} to ${MAX_TIMEOUT_MS} (24 days)`, takes: `a number of milliseconds, e.g. 60_000 for a minute`},
  count: (): OptionCheck => (value) => (Number.isSafeInteger(value) && (value as number) >= 0 ? undefined : {wrong: 'is not a whole number, 0 or more', takes: 'a whole number of lines, e.g. 100'}),
  words: (what: string, example: string): OptionCheck => (value) => {
    if (typeof value === 'string') return {wrong: `is a string, not an array of ${what}`, takes: `an array, e.g. ${arrayText([value])}`};
    if (!Array.isArray(value) || value.some((word) => typeof word !== 'string' || word === '')) return {wrong: `is not an array of ${what}`, takes: `an array of names, e.g. ${example}`};
    return undefined;
  },
};

// An options object: undefined (every default), or a plain object whose every key
// is one of `checks` (a typo such as `timeout` for `timeoutMs` is not ignored) and
// whose every value given (not undefined) passes its check.
// `example` shows an options object of this call, for a call given something else.
export function checkOptions(call: string, options: unknown, checks: Record<string, OptionCheck>, example: string): void {
  const names = Object.keys(checks);
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw usage(`${call}: the options are ${shown(options)}, not an object`, `pass an object with some of: ${names.join(', ')}; e.g. ${example}`);
  }
  for (const [name, value] of Object.entries(options)) {
    const checkOne = checks[name];
    if (!checkOne) {
      const near = names.find((known) => known.toLowerCase().startsWith(name.toLowerCase()) || name.toLowerCase().startsWith(known.toLowerCase()));
      throw usage(`${call}: unknown option ${JSON.stringify(name)}`, `${near ? `did you mean ${near}? ` : ''}the options are: ${names.join(', ')}`);
    }
    if (value === undefined) continue;
    const problem = checkOne(value);
    if (problem) throw usage(`${call}: ${name} ${shown(value)} ${problem.wrong}`, `${name} takes ${problem.takes}; leave it out for the default`);
  }
}

// A service (or POD/SERVICE) named as one argument.
export function checkService(call: string, service: unknown): asserts service is string {
  if (typeof service === 'string' && service !== '') return;
  const many = Array.isArray(service) && service.every((s) => typeof s === 'string');
  throw usage(`${call}: the service ${shown(service)} is not a service name`, many ? 'name one service (SERVICE or POD/SERVICE) as a string' : 'name it as a string: SERVICE, or POD/SERVICE with several pods');
}

// exec's command: an array of words, as `sidecar exec SERVICE -- CMD ARGS...`; never a shell line.
export function checkCommand(call: string, command: unknown): asserts command is string[] {
  if (typeof command === 'string') {
    const words = command.trim().split(/\s+/).filter((w) => w !== '');
    throw usage(`${call}: the command ${shown(command)} is a string; the command is an array of words (no shell reads it)`, `pass ${arrayText(['sh', '-c', command])} to run it through a shell${words.length > 1 && !/["'\\$|&;<>()`*?~]/.test(command) ? `, or ${arrayText(words)}` : ''}`);
  }
  if (!Array.isArray(command) || command.length === 0 || command.some((word) => typeof word !== 'string') || command[0] === '') {
    throw usage(`${call}: the command ${shown(command)} is not an array of words with a program first`, `pass the program and its arguments as strings, e.g. ['node', '-e', 'console.log(1)'] or ['sh', '-c', 'echo hi']`);
  }
}

// restart's services, given as separate arguments: at least one.
export function checkServices(call: string, services: unknown[]): asserts services is string[] {
  if (services.length === 1 && Array.isArray(services[0])) {
    const list = services[0] as unknown[];
    throw usage(`${call}: the services are given as one array, ${shown(list)}; they are separate arguments`, `spread it: restart(...services), e.g. restart(${list.map((s) => shown(s).replaceAll('"', "'")).join(', ')})`);
  }
  if (services.length === 0) throw usage(`${call}: no service named`, "name the services to restart, e.g. restart('app') or restart('proxy', 'app')");
  for (const service of services) checkService(call, service);
}

export function checkPort(call: string, port: unknown): asserts port is number {
  if (Number.isInteger(port) && (port as number) >= 1 && (port as number) <= 65_535) return;
  throw usage(`${call}: the port ${shown(port)} is not a port number from 1 to 65535`, 'pass the port the service listens on as a number, e.g. 8080');
}

function arrayText(words: string[]): string {
  return `[${words.map((w) => `'${w.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`).join(', ')}]`;
}

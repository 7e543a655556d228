// Issue 13.1: `up -d` / `up --wait` and `down` are the commands scripts and CI run
// between every test, and oclif alone loads for ~50-200 ms; `validate` runs in
// editors and pre-commit hooks (issue 2.10: within 2x bare node). bin/run.js runs them
// without it when their words are plain: only the exact forms below; anything
// else (help, a flag written another way, a repeated flag, a bad value, `--`) goes
// to oclif, which parses, refuses and explains as ever.

export interface LeanUp {
  command: 'up';
  flags: {file: string; runtime: string; detach: boolean; wait: boolean; timeout?: string; build: boolean; watch: boolean; json: boolean};
  words: string[];
}

export interface LeanDown {
  command: 'down';
  flags: {file: string; volumes: boolean; timeout?: string; json: boolean};
}

export interface LeanValidate {
  command: 'validate';
  flags: {file: string; json: boolean};
}

const RUNTIMES = ['auto', 'docker', 'process'];

interface Spec {
  booleans: Record<string, string>;
  strings: Record<string, string>;
  positional: boolean;
}

const SPECS: Record<'up' | 'down' | 'validate', Spec> = {
  up: {
    booleans: {'-d': 'detach', '--detach': 'detach', '--wait': 'wait', '--build': 'build', '--watch': 'watch', '--json': 'json'},
    strings: {'-f': 'file', '--file': 'file', '--runtime': 'runtime', '--timeout': 'timeout'},
    positional: true,
  },
  down: {
    booleans: {'--volumes': 'volumes', '--json': 'json'},
    strings: {'-f': 'file', '--file': 'file', '--timeout': 'timeout'},
    positional: false,
  },
  validate: {
    booleans: {'--json': 'json'},
    strings: {'-f': 'file', '--file': 'file'},
    positional: false,
  },
};

function parseWords(spec: Spec, words: readonly string[]): {set: Map<string, string | true>; positional: string[]} | undefined {
  const set = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (!word.startsWith('-')) {
      if (!spec.positional) return undefined;
      positional.push(word);
      continue;
    }
    const eq = word.startsWith('--') ? word.indexOf('=') : -1;
    const name = eq > 0 ? word.slice(0, eq) : word;
    const key = spec.booleans[name] ?? spec.strings[name];
    if (key === undefined || set.has(key)) return undefined;
    if (spec.booleans[name] !== undefined) {
      if (eq > 0) return undefined;
      set.set(key, true);
      continue;
    }
    const value = eq > 0 ? word.slice(eq + 1) : words[++i];
    if (value === undefined || value === '' || value.startsWith('-')) return undefined;
    set.set(key, value);
  }
  return {set, positional};
}

// Flag values from the environment count as oclif counts them; odd ones go to oclif.
function fromEnv(env: NodeJS.ProcessEnv, name: string, fallback: string): string | undefined {
  const value = env[name];
  if (value === undefined) return fallback;
  return value === '' ? undefined : value;
}

export function leanCommand(argv: readonly string[], env: NodeJS.ProcessEnv): LeanUp | LeanDown | LeanValidate | undefined {
  const command = argv[0];
  if (command !== 'up' && command !== 'down' && command !== 'validate') return undefined;
  const parsed = parseWords(SPECS[command], argv.slice(1));
  if (!parsed) return undefined;
  const {set, positional} = parsed;
  const file = (set.get('file') as string | undefined) ?? fromEnv(env, 'SIDECAR_FILE', 'sidecar.yaml');
  if (file === undefined) return undefined;
  const timeout = set.get('timeout') as string | undefined;
  const json = set.has('json');
  if (command === 'validate') return {command, flags: {file, json}};
  if (command === 'down') return {command, flags: {file, volumes: set.has('volumes'), json, ...(timeout !== undefined ? {timeout} : {})}};
  const runtime = (set.get('runtime') as string | undefined) ?? fromEnv(env, 'SIDECAR_RUNTIME', 'auto');
  if (runtime === undefined || !RUNTIMES.includes(runtime)) return undefined;
  const detach = set.has('detach');
  const wait = set.has('wait');
  // Foreground `up` streams logs for minutes: its start-up is not worth a second path.
  if (!detach && !wait) return undefined;
  return {command, flags: {file, runtime, detach, wait, build: set.has('build'), watch: set.has('watch'), json, ...(timeout !== undefined ? {timeout} : {})}, words: positional};
}

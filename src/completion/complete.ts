// Shell completion (issue 14.3), as pure logic: the words typed after `sidecar`
// (the last one is the word being completed, possibly empty) -> candidates.
// The shell scripts (shell-scripts.ts) ask `sidecar __complete WORDS...`.

export interface FlagSpec {
  char?: string;
  // A flag that takes a value (`--runtime docker`), with its choices when fixed.
  takesValue: boolean;
  options?: readonly string[];
}

export interface CommandSpec {
  hidden?: boolean;
  flags: Record<string, FlagSpec>;
  // Positional arguments in order: what each one completes to.
  args: ArgKind[];
  // Takes any number of the last positional kind (`up proxy app`).
  variadic: boolean;
}

export type ArgKind = {kind: 'service'} | {kind: 'template'} | {kind: 'command'} | {kind: 'choice'; options: readonly string[]} | {kind: 'path'};

export interface CompletionSources {
  commands: Record<string, CommandSpec>;
  // Services of the manifest (ids and pod names), read only when a service is wanted.
  services(manifestFile: string | undefined): Promise<string[]>;
  templates(): string[];
  // Manifest files in the current directory, for -f/--file.
  manifests(): string[];
}

const GLOBAL = ['--help', '--version'];

export async function complete(words: readonly string[], sources: CompletionSources): Promise<string[]> {
  const current = words.at(-1) ?? '';
  const before = words.slice(0, -1);
  const matching = (candidates: Iterable<string>): string[] => [...new Set(candidates)].filter((c) => c.startsWith(current)).sort();
  if (before.length === 0) {
    const names = Object.entries(sources.commands).filter(([, spec]) => !spec.hidden).map(([name]) => name);
    return matching(current.startsWith('-') ? GLOBAL : names);
  }
  const spec = sources.commands[before[0]!];
  if (!spec) return [];
  // After `--` (exec, run) the words belong to the user's command.
  if (before.includes('--')) return [];
  const flagOf = (word: string): FlagSpec | undefined => {
    if (word.startsWith('--')) return spec.flags[word.slice(2)];
    if (/^-[a-zA-Z]$/.test(word)) return Object.values(spec.flags).find((f) => f.char === word.slice(1));
    return undefined;
  };
  const previous = before.length > 1 ? flagOf(before.at(-1)!) : undefined;
  if (previous?.takesValue) {
    if (previous.options) return matching(previous.options);
    if (previous === spec.flags.file) return matching(sources.manifests());
    if (previous === spec.flags.template) return matching(sources.templates());
    return [];
  }
  if (current.startsWith('-')) {
    return matching([...Object.keys(spec.flags).map((name) => `--${name}`), '--help']);
  }
  const positional = positionals(before.slice(1), flagOf);
  const kind = spec.args[positional] ?? (spec.variadic ? spec.args.at(-1) : undefined);
  if (!kind) return [];
  switch (kind.kind) {
    case 'service':
      return matching(await sources.services(fileFlag(before, flagOf, spec)));
    case 'template':
      return matching(sources.templates());
    case 'command':
      return matching(Object.entries(sources.commands).filter(([, s]) => !s.hidden).map(([name]) => name));
    case 'choice':
      return matching(kind.options);
    case 'path':
      return [];
  }
}

// How many positional words were typed before the current one (flag values skipped).
function positionals(words: readonly string[], flagOf: (word: string) => FlagSpec | undefined): number {
  let count = 0;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word.startsWith('-')) {
      if (!word.includes('=') && flagOf(word)?.takesValue) i++;
      continue;
    }
    count++;
  }
  return count;
}

function fileFlag(words: readonly string[], flagOf: (word: string) => FlagSpec | undefined, spec: CommandSpec): string | undefined {
  for (let i = 1; i < words.length; i++) {
    const word = words[i]!;
    if (word.startsWith('--file=')) return word.slice('--file='.length);
    if (flagOf(word) === spec.flags.file && spec.flags.file && i + 1 < words.length) return words[i + 1];
  }
  return undefined;
}

import {readdirSync} from 'node:fs';
import path from 'node:path';
import type {Command} from '@oclif/core';
import {complete, type ArgKind, type CommandSpec, type FlagSpec} from './complete.js';

// `sidecar __complete WORDS...` (bin/run.js calls it without oclif's start-up):
// prints the candidates for the last word, one a line. Never fails loudly: a
// broken manifest completes to nothing, not to an error in the user's prompt.
export async function completeMain(words: string[]): Promise<void> {
  const {COMMANDS} = await import('../commands.js');
  const commands = Object.fromEntries(Object.entries(COMMANDS).map(([name, command]) => [name, specOf(command)]));
  const candidates = await complete(words.length === 0 ? [''] : words, {
    commands,
    services: servicesOf,
    templates,
    manifests: () => readdirSync('.').filter((name) => /\.ya?ml$/.test(name)),
  });
  if (candidates.length > 0) process.stdout.write(candidates.join('\n') + '\n');
}

async function servicesOf(file: string | undefined): Promise<string[]> {
  try {
    const {loadManifest} = await import('../manifest/load.js');
    const {allServices} = await import('../manifest/types.js');
    const manifest = await loadManifest(path.resolve(file ?? process.env.SIDECAR_FILE ?? 'sidecar.yaml'));
    const ids = allServices(manifest).map((service) => service.id);
    return manifest.form === 'pods' ? [...manifest.pods.map((pod) => pod.name), ...ids] : ids;
  } catch {
    return [];
  }
}

let templateNames: string[] | undefined;
function templates(): string[] {
  return (templateNames ??= loadTemplateNames());
}

function loadTemplateNames(): string[] {
  try {
    const root = new URL('../../templates/', import.meta.url);
    return readdirSync(root, {withFileTypes: true}).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch {
    return [];
  }
}

function specOf(command: Command.Class): CommandSpec {
  const flags: Record<string, FlagSpec> = {};
  for (const [name, flag] of Object.entries(command.flags ?? {})) {
    const f = flag as {char?: string; type: string; options?: readonly string[]; hidden?: boolean};
    if (f.hidden) continue;
    flags[name] = {takesValue: f.type === 'option', ...(f.char ? {char: f.char} : {}), ...(f.options ? {options: f.options} : {})};
  }
  const args: ArgKind[] = Object.entries(command.args ?? {}).map(([name, arg]) => argKind(name, (arg as {options?: readonly string[]}).options));
  return {flags, args, variadic: command.strict === false, ...(command.hidden ? {hidden: true} : {})};
}

function argKind(name: string, options: readonly string[] | undefined): ArgKind {
  if (options) return {kind: 'choice', options};
  if (name === 'service') return {kind: 'service'};
  if (name === 'template') return {kind: 'template'};
  if (name === 'command') return {kind: 'command'};
  return {kind: 'path'};
}

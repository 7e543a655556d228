import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {execute, settings} from '@oclif/core';

interface OclifSection {
  commands: Record<string, string>;
  hooks: Record<string, {target: string; identifier: string}>;
}

// Runs oclif with the command registry that sits beside this module: the
// bundle (dist/bundle/cli.js) carries its own, the plain build dist/commands.js.
// The hooks live in the same module as the registry, so they follow it.
export async function run(argv: string[], commandsTarget: string): Promise<void> {
  const root = fileURLToPath(new URL('../', import.meta.url).href.replace(/\/dist\/(bundle\/)?$/, '/'));
  const pjson = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as {oclif: OclifSection};
  pjson.oclif.commands = {...pjson.oclif.commands, target: commandsTarget};
  pjson.oclif.hooks = Object.fromEntries(Object.entries(pjson.oclif.hooks).map(([event, hook]) => [event, {...hook, target: commandsTarget}]));
  // The package ships compiled code only: with NODE_ENV=test or development (test
  // runners set it) oclif would look for TypeScript sources and warn on stderr.
  settings.enableAutoTranspile = false;
  await execute({args: argv, loadOptions: {root, pjson: pjson as never}});
}

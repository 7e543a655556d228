import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {execute} from '@oclif/core';

// Runs oclif with the command registry that sits beside this module: the
// bundle (dist/bundle/cli.js) carries its own, the plain build dist/commands.js.
export async function run(argv: string[], commandsTarget: string): Promise<void> {
  const root = fileURLToPath(new URL('../', import.meta.url).href.replace(/\/dist\/(bundle\/)?$/, '/'));
  const pjson = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as {oclif: {commands: Record<string, string>}};
  pjson.oclif.commands = {...pjson.oclif.commands, target: commandsTarget};
  await execute({args: argv, loadOptions: {root, pjson: pjson as never}});
}

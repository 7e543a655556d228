import {Errors, type Hook} from '@oclif/core';

// oclif's `command_not_found` hook (registered in package.json and by main.ts):
// print our one error block with a did-you-mean, exit 2. Loaded only when a
// command is not found, so it costs nothing on the way to a real command.
export const commandNotFound: Hook.CommandNotFound = async function (options) {
  const [{unexpectedArguments, unknownCommand}, {renderError}] = await Promise.all([import('./unknown-command.js'), import('../output/render-error.js')]);
  const [first = options.id, ...rest] = options.id.split(':');
  const error = rest.length > 0 && options.config.commandIDs.includes(first) ? unexpectedArguments(first, rest) : unknownCommand(first, options.config.commandIDs);
  process.stderr.write(renderError(error) + '\n');
  throw new Errors.ExitError(error.exitCode);
};

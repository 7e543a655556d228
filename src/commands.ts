// oclif explicit command strategy: the registry of every command. Command
// modules are thin (flags + a dynamic import of core code in run()), so this
// file stays cheap to load.
import type {Command} from '@oclif/core';
import Validate from './commands/validate.js';

export const COMMANDS: Record<string, Command.Class> = {
  validate: Validate,
};

// Entry of the bundled CLI (scripts/bundle.js): oclif, the command registry and
// the manifest pipeline in a few files, so start-up does not resolve hundreds of modules.
export {run} from './main.js';
export {COMMANDS, COMMAND_NOT_FOUND} from './commands.js';

// oclif explicit command strategy: the registry of every command. Command
// modules are thin (flags + a dynamic import of core code in run()), so this
// file stays cheap to load.
import type {Command} from '@oclif/core';
import Validate from './commands/validate.js';
import Generate from './commands/generate.js';
import Import from './commands/import.js';
import Graph from './commands/graph.js';
import Doctor from './commands/doctor.js';
import Add from './commands/add.js';
import Init from './commands/init.js';
import New from './commands/new.js';
import Templates from './commands/templates.js';
import Up from './commands/up.js';
import Down from './commands/down.js';
import Ps from './commands/ps.js';
import Logs from './commands/logs.js';
import Restart from './commands/restart.js';
import Exec from './commands/exec.js';
import Run from './commands/run.js';
import Events from './commands/events.js';
import Help from './commands/help.js';
import Autocomplete from './commands/autocomplete.js';

// The `command_not_found` hook (package.json oclif.hooks) lives beside the registry.
export {commandNotFound as COMMAND_NOT_FOUND} from './commands/command-not-found.js';

export const COMMANDS: Record<string, Command.Class> = {
  validate: Validate,
  generate: Generate,
  import: Import,
  graph: Graph,
  doctor: Doctor,
  add: Add,
  init: Init,
  new: New,
  templates: Templates,
  up: Up,
  down: Down,
  ps: Ps,
  logs: Logs,
  restart: Restart,
  exec: Exec,
  run: Run,
  events: Events,
  help: Help,
  autocomplete: Autocomplete,
};

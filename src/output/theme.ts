import chalk, {Chalk} from 'chalk';

// Colours only for a person at a terminal: off under NO_COLOR or when piped.
const stderrColors = !process.env.NO_COLOR && process.stderr.isTTY === true;
const c = stderrColors ? chalk : new Chalk({level: 0});

export const theme = {
  error: (s: string) => c.red.bold(s),
  dim: (s: string) => c.dim(s),
  place: (s: string) => c.cyan(s),
  hint: (s: string) => c.yellow(s),
  ok: (s: string) => c.green(s),
};

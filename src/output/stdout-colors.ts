import chalk, {Chalk, type ChalkInstance} from 'chalk';

// Colours on stdout only for a person at a terminal: off under NO_COLOR or when piped.
export function stdoutChalk(stream: NodeJS.WriteStream = process.stdout): ChalkInstance {
  return !process.env.NO_COLOR && stream.isTTY === true ? chalk : new Chalk({level: 0});
}

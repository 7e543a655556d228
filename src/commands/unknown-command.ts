import {SidecarError} from '../errors/index.js';
import {didYouMean} from '../manifest/did-you-mean.js';

// Words other tools use for our commands (docker compose stop/start, systemctl
// status, kubectl logs): too far from ours for an edit distance to find.
const ALIASES: Record<string, string> = {
  stop: 'down',
  start: 'up',
  status: 'ps',
  ls: 'ps',
  list: 'ps',
  log: 'logs',
  rm: 'down',
  check: 'validate',
  lint: 'validate',
  shell: 'exec',
};

// A command word that is not ours: a usage error (exit 2) with the closest
// command, as git and npm say "did you mean".
export function unknownCommand(word: string, commandIds: readonly string[]): SidecarError {
  const visible = commandIds.filter((id) => id !== 'help');
  const alias = ALIASES[word.toLowerCase()];
  const closest = alias !== undefined && visible.includes(alias) ? alias : didYouMean(word, visible);
  return new SidecarError('SIDECAR_USAGE', `"${word}" is not a sidecar command`, {
    suggestion: closest ? `did you mean \`sidecar ${closest}\`? \`sidecar help\` lists the commands` : '`sidecar help` lists the commands',
  });
}

// Our command followed by words it does not take (`sidecar down extra`: oclif
// looks for a command `down extra`). Was "\"down\" is not a sidecar command ...
// did you mean `sidecar down`?" (found by a new user's trial).
export function unexpectedArguments(command: string, words: readonly string[]): SidecarError {
  return new SidecarError('SIDECAR_USAGE', `unexpected argument${words.length === 1 ? '' : 's'} to \`sidecar ${command}\`: ${words.join(' ')}`, {
    suggestion: `\`sidecar ${command} --help\` shows what it takes`,
  });
}

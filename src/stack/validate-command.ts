import {SidecarError} from '../errors/index.js';
import {safeJson} from '../output/safe-json.js';

export interface ValidateFlags {
  file: string;
  json: boolean;
}

// What `sidecar validate` does once its words are parsed, shared by the oclif
// command and the lean path of bin/run.js (issue 2.10: its start-up within 2x
// bare node, which oclif's load alone passed). `exit` ends the command with a code.
export async function validateCommand(flags: ValidateFlags, exit: (code: number) => never): Promise<void> {
  const {loadManifestWithWarnings} = await import('../manifest/load.js');
  let loaded: Awaited<ReturnType<typeof loadManifestWithWarnings>>;
  try {
    loaded = await loadManifestWithWarnings(flags.file, {checkPaths: true});
  } catch (error) {
    // --json: the same problem list as the human output, as data.
    if (flags.json && error instanceof SidecarError && error.code === 'SIDECAR_MANIFEST_INVALID') {
      printJson({valid: false, file: flags.file, problems: error.problems});
      exit(error.exitCode);
    }
    throw error;
  }
  const {manifest, warnings, losses} = loaded;
  const sum = (key: 'sidecars' | 'init') => manifest.pods.reduce((n, pod) => n + pod[key].length, 0);
  const [inits, sidecars, apps] = [sum('init'), sum('sidecars'), manifest.pods.length];
  const services = inits + sidecars + apps;
  if (flags.json) {
    printJson({valid: true, file: flags.file, project: manifest.name, services, warnings, problems: [], ...(manifest.source === 'kubernetes' ? {kind: 'kubernetes', losses} : {})});
    return;
  }
  for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
  // Nothing to say, nothing written: stderr is not even opened (its stream costs ~1-2 ms of a start-up).
  const lossBlock = losses.length > 0 ? (await import('../manifest/loss.js')).inputLossBlock(losses) : '';
  if (lossBlock !== '') process.stderr.write(lossBlock);
  const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  process.stdout.write(`${flags.file} is valid: project ${manifest.name}, ${manifest.form === 'pods' ? `${count(apps, 'pod')}, ` : ''}${count(services, 'service')} (${count(inits, 'init job')}, ${count(sidecars, 'sidecar')}, ${count(apps, 'app')})\n`);
}

function printJson(value: unknown): void {
  process.stdout.write(safeJson(value, 2) + '\n');
}

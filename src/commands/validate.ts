import {SidecarError} from '../errors/index.js';
import {BaseCommand, jsonFlag, manifestFlags} from './base-command.js';

export default class Validate extends BaseCommand {
  static override summary = 'Check the manifest; exit 0, or exit 3 with every problem found';
  static override examples = ['<%= config.bin %> validate', '<%= config.bin %> validate -f stack/sidecar.yaml --json'];
  static override flags = {...manifestFlags, ...jsonFlag};

  async run(): Promise<void> {
    const {flags} = await this.parse(Validate);
    this.jsonMode = flags.json;
    const {loadManifestWithWarnings} = await import('../manifest/load.js');
    let loaded: Awaited<ReturnType<typeof loadManifestWithWarnings>>;
    try {
      loaded = await loadManifestWithWarnings(flags.file, {checkPaths: true});
    } catch (error) {
      // --json: the same problem list as the human output, as data.
      if (flags.json && error instanceof SidecarError && error.code === 'SIDECAR_MANIFEST_INVALID') {
        this.printJson({valid: false, file: flags.file, problems: error.problems});
        this.exit(error.exitCode);
      }
      throw error;
    }
    const {manifest, warnings, losses} = loaded;
    const sum = (key: 'sidecars' | 'init') => manifest.pods.reduce((n, pod) => n + pod[key].length, 0);
    const [inits, sidecars, apps] = [sum('init'), sum('sidecars'), manifest.pods.length];
    const services = inits + sidecars + apps;
    if (flags.json) {
      this.printJson({valid: true, file: flags.file, project: manifest.name, services, warnings, problems: [], ...(manifest.source === 'kubernetes' ? {kind: 'kubernetes', losses} : {})});
      return;
    }
    for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
    process.stderr.write((await import('../manifest/loss.js')).inputLossBlock(losses));
    const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
    process.stdout.write(`${flags.file} is valid: project ${manifest.name}, ${manifest.form === 'pods' ? `${count(apps, 'pod')}, ` : ''}${count(services, 'service')} (${count(inits, 'init job')}, ${count(sidecars, 'sidecar')}, ${count(apps, 'app')})\n`);
  }
}

import {mkdir, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {Args, Flags} from '@oclif/core';
import {ExitCode, SidecarError} from '../errors/index.js';
import {BaseCommand, jsonFlag, manifestFlags} from './base-command.js';
import {infraImageFromEnv} from '../runtime/infra-image.js';
import {refuseOutputOverInput} from '../output/not-the-input.js';

export default class Generate extends BaseCommand {
  static override summary = 'Print or write docker-compose or Kubernetes YAML for the manifest, and what the target cannot express';
  static override description =
    'The YAML goes to stdout (or to -o FILE); what the target loses goes to stderr. Relative paths are written against the output file\'s directory (the manifest\'s directory for stdout).';
  static override examples = [
    '<%= config.bin %> generate compose -o docker-compose.yml',
    '<%= config.bin %> generate k8s --kind deployment',
    '<%= config.bin %> generate k8s --no-native-sidecars | podman kube play -',
  ];
  static override args = {
    target: Args.string({description: 'what to generate', options: ['compose', 'k8s'], required: true}),
  };
  static override flags = {
    ...manifestFlags,
    ...jsonFlag,
    output: Flags.string({char: 'o', description: 'write the YAML to this file instead of stdout'}),
    kind: Flags.string({description: 'k8s: the object to emit', options: ['pod', 'deployment', 'job']}),
    'native-sidecars': Flags.boolean({description: 'k8s: sidecars as native sidecars (Kubernetes 1.29+); --no-native-sidecars emits plain containers', default: true, allowNo: true}),
  };

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Generate);
    this.jsonMode = flags.json;
    const target = args.target as 'compose' | 'k8s';
    if (target === 'compose' && (flags.kind !== undefined || !flags['native-sidecars'])) {
      throw new SidecarError('SIDECAR_USAGE', '--kind and --no-native-sidecars apply to `generate k8s` only', {exitCode: ExitCode.usage, suggestion: 'drop them, or run `sidecar generate k8s`'});
    }
    // Builtins are imported statically: the bundle keeps a real import() only for externals.
    const [{loadManifestWithWarnings}, {generate}, {formatLoss}] = await Promise.all([
      import('../manifest/load.js'),
      import('../generate/generate.js'),
      import('../generate/loss.js'),
    ]);
    const {manifest, warnings, losses: inputLosses} = await loadManifestWithWarnings(flags.file);
    const output = flags.output === undefined ? undefined : path.resolve(flags.output);
    if (output !== undefined) refuseOutputOverInput(flags.output!, manifest.file, `generate ${target}`, `write it to a file of its own: \`sidecar generate ${target} -o ${target === 'compose' ? 'docker-compose.yml' : 'k8s-pod.yaml'}\``);
    const result = generate(manifest, target, {
      infraImage: infraImageFromEnv(),
      outputDir: output === undefined ? manifest.dir : path.dirname(output),
      kind: (flags.kind as 'pod' | 'deployment' | 'job' | undefined) ?? 'pod',
      nativeSidecars: flags['native-sidecars'],
    });
    if (output !== undefined) {
      await mkdir(path.dirname(output), {recursive: true});
      await writeFile(output, result.yaml);
    }
    if (flags.json) {
      this.printJson({target, ...(output === undefined ? {} : {file: output}), yaml: result.yaml, losses: result.losses, warnings, ...(manifest.source === 'kubernetes' ? {inputLosses} : {})});
      return;
    }
    for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
    process.stderr.write((await import('../manifest/loss.js')).inputLossBlock(inputLosses));
    if (output === undefined) process.stdout.write(result.yaml);
    if (result.losses.length > 0) {
      const name = target === 'compose' ? 'Compose' : 'Kubernetes';
      process.stderr.write(`${name} cannot express (${result.losses.length}):\n${result.losses.map((loss) => `  - ${formatLoss(loss)}\n`).join('')}`);
    }
    if (output !== undefined) process.stderr.write(`wrote ${flags.output}\n`);
  }
}

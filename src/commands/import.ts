import path from 'node:path';
import {Args, Flags} from '@oclif/core';
import {BaseCommand, jsonFlag} from './base-command.js';
import {refuseOutputOverInput} from '../output/not-the-input.js';

export default class Import extends BaseCommand {
  static override summary = 'Write the sidecar.yaml equivalent to a Kubernetes YAML or docker-compose file';
  static override description =
    'Pods, Deployments, StatefulSets and Jobs (with their Services, ConfigMaps and Secrets), or compose services (those joined by network_mode: service:X become X\'s pod). What cannot carry over is listed on stderr and as `# not carried over:` comments in the file.';
  static override examples = [
    '<%= config.bin %> import pod.yaml',
    '<%= config.bin %> import docker-compose.yml -o stack/sidecar.yaml --force',
  ];
  static override args = {
    file: Args.string({description: 'Kubernetes YAML or docker-compose file', required: true}),
  };
  static override flags = {
    ...jsonFlag,
    output: Flags.string({char: 'o', description: 'where to write (default: sidecar.yaml beside FILE)'}),
    force: Flags.boolean({description: 'overwrite an existing output', default: false}),
  };

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Import);
    this.jsonMode = flags.json;
    const [{planImport, writeImport}, {formatLoss}] = await Promise.all([import('../import/import-file.js'), import('../manifest/loss.js')]);
    const output = flags.output ?? path.join(path.dirname(args.file), 'sidecar.yaml');
    refuseOutputOverInput(output, args.file, 'import', `write the manifest to a file of its own: \`sidecar import ${args.file} -o ${path.basename(args.file) === 'sidecar.yaml' ? 'sidecar.imported.yaml' : 'sidecar.yaml'}\``);
    const plan = planImport(args.file, output);
    const warnings = await writeImport(plan, output, flags.force);
    if (flags.json) {
      this.printJson({file: path.resolve(output), from: plan.from, losses: plan.losses, files: plan.files.map((f) => f.dir), warnings});
      return;
    }
    for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
    if (plan.losses.length > 0) process.stderr.write(`not carried over (${plan.losses.length}):\n${plan.losses.map((loss) => `  - ${formatLoss(loss)}\n`).join('')}`);
    process.stderr.write(`wrote ${output}${plan.files.length > 0 ? ` and ${plan.files.length} ConfigMap/Secret volume${plan.files.length === 1 ? '' : 's'} under ${path.join(path.dirname(output), 'k8s-files')}` : ''}\n`);
  }
}

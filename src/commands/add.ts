import {Args, Flags} from '@oclif/core';
import {BaseCommand, jsonFlag, manifestFlags} from './base-command.js';

export default class Add extends BaseCommand {
  static override summary = "Add a sidecar from a template to the manifest, keeping the file's comments and order";
  static override description =
    'The sidecar project is copied to sidecars/NAME/ beside the manifest and the new entry runs from there (workdir and build point at it). With --no-copy, put the project there yourself (`sidecar new TEMPLATE sidecars/NAME`).';
  static override examples = ['<%= config.bin %> add http-proxy', '<%= config.bin %> add http-proxy --name edge', '<%= config.bin %> add log-shipper -f stack/sidecar.yaml --no-copy'];
  static override args = {
    template: Args.string({description: 'sidecar template (see `sidecar templates`)', required: true}),
  };
  static override flags = {
    ...manifestFlags,
    ...jsonFlag,
    name: Flags.string({description: 'sidecar name in the manifest; default: the template name'}),
    copy: Flags.boolean({description: "copy the template's project into sidecars/NAME/", default: true, allowNo: true}),
    force: Flags.boolean({description: 'overwrite existing files under sidecars/NAME/', default: false}),
  };

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Add);
    this.jsonMode = flags.json;
    const {addSidecarToManifest} = await import('../scaffold/add-sidecar.js');
    const result = await addSidecarToManifest({
      template: args.template,
      file: flags.file,
      copy: flags.copy,
      force: flags.force,
      ...(flags.name === undefined ? {} : {name: flags.name}),
    });
    if (flags.json) {
      this.printJson(result);
      return;
    }
    for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
    process.stdout.write(`added sidecar ${result.name} (template ${result.template}) to ${flags.file}${flags.copy ? `; its project is in sidecars/${result.name}/` : ''}\n`);
    for (const line of result.next) process.stdout.write(`  - ${line}\n`);
    process.stdout.write('next: sidecar validate && sidecar up\n');
  }
}

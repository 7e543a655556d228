import {mkdir, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {Flags} from '@oclif/core';
import {SidecarError} from '../errors/index.js';
import {BaseCommand, manifestFlags} from './base-command.js';
import {refuseOutputOverInput} from '../output/not-the-input.js';

export default class Graph extends BaseCommand {
  static override summary = "Draw the stack's topology (pods, services, start order, volumes, ports) as mermaid, Graphviz dot, or an svg/png picture";
  static override description = 'svg and png are drawn by Graphviz (`dot` on PATH). With -o FILE and no --format, the file name says the format (.svg, .png, .dot/.gv, .mmd).';
  static override examples = ['<%= config.bin %> graph > pod.mmd', '<%= config.bin %> graph -o pod.svg', '<%= config.bin %> graph --format png -o pod.png'];
  static override flags = {
    ...manifestFlags,
    format: Flags.string({description: 'mermaid or dot source, or a picture drawn by Graphviz; default: from -o, else mermaid', options: ['mermaid', 'dot', 'svg', 'png']}),
    output: Flags.string({char: 'o', description: 'write to this file instead of stdout (required for png)'}),
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(Graph);
    const {formatOfFile, renderPicture} = await import('../generate/render-picture.js');
    const format = flags.format ?? (flags.output === undefined ? undefined : formatOfFile(flags.output)) ?? 'mermaid';
    if (format === 'png' && flags.output === undefined) {
      throw new SidecarError('SIDECAR_USAGE', 'a png picture is binary and is not printed to the terminal', {suggestion: 'write it to a file: `sidecar graph --format png -o pod.png` (svg can go to stdout)'});
    }
    const [{loadManifest}, {topology}] = await Promise.all([import('../manifest/load.js'), import('../generate/graph-model.js')]);
    const manifest = await loadManifest(flags.file);
    if (flags.output !== undefined) refuseOutputOverInput(flags.output, manifest.file, 'graph', 'write the picture to a file of its own: `sidecar graph -o pod.svg`');
    const graph = topology(manifest);
    let picture: string | Buffer;
    if (format === 'mermaid') {
      const {renderMermaid} = await import('../generate/graph-mermaid.js');
      picture = renderMermaid(graph);
    } else {
      const {renderDot} = await import('../generate/graph-dot.js');
      picture = format === 'dot' ? renderDot(graph) : await renderPicture(renderDot(graph), format as 'svg' | 'png');
    }
    if (flags.output === undefined) {
      process.stdout.write(picture);
      return;
    }
    const output = path.resolve(flags.output);
    await mkdir(path.dirname(output), {recursive: true});
    await writeFile(output, picture);
    process.stderr.write(`wrote ${format} to ${output}\n`);
  }
}

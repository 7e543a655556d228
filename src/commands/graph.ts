import {Flags} from '@oclif/core';
import {BaseCommand, manifestFlags} from './base-command.js';

export default class Graph extends BaseCommand {
  static override summary = "Draw the pod's topology (services, start order, volumes, ports) as mermaid or Graphviz dot";
  static override examples = ['<%= config.bin %> graph > pod.mmd', '<%= config.bin %> graph --format dot | dot -Tsvg > pod.svg'];
  static override flags = {
    ...manifestFlags,
    format: Flags.string({description: 'picture source to print', options: ['mermaid', 'dot'], default: 'mermaid'}),
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(Graph);
    const [{loadManifest}, {topology}] = await Promise.all([import('../manifest/load.js'), import('../generate/graph-model.js')]);
    const graph = topology(await loadManifest(flags.file));
    if (flags.format === 'dot') {
      const {renderDot} = await import('../generate/graph-dot.js');
      process.stdout.write(renderDot(graph));
    } else {
      const {renderMermaid} = await import('../generate/graph-mermaid.js');
      process.stdout.write(renderMermaid(graph));
    }
  }
}

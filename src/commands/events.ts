import type {LifecycleEvent} from '../supervisor/types.js';
import {BaseCommand, jsonFlag, manifestFlags} from './base-command.js';

export default class Events extends BaseCommand {
  static override summary = 'Live lifecycle events, one per line';
  static override examples = ['<%= config.bin %> events', '<%= config.bin %> events --json'];
  static override flags = {...manifestFlags, ...jsonFlag};

  async run(): Promise<void> {
    const {flags} = await this.parse(Events);
    this.jsonMode = flags.json;
    const {filesFor} = await import('../host/find-supervisor.js');
    const {requireRunningStack} = await import('../stack/stack-lookup.js');
    const {streamFromStack} = await import('../stack/stack-stream.js');
    const {eventLine} = await import('../output/event-line.js');
    const {safeJson} = await import('../output/safe-json.js');
    const {stdoutClosed} = await import('../output/stdout-closed.js');
    const closed = stdoutClosed();
    const files = filesFor(flags.file);
    const {live} = await requireRunningStack(files, flags.file);
    // Compact JSON: one event per line, so `events --json | jq -c` and line readers work.
    await streamFromStack(files, live.socket, {method: 'events'}, (event) => process.stdout.write((flags.json ? safeJson(event) : eventLine(event as LifecycleEvent)) + '\n'), closed);
  }
}

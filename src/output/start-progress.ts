import {Listr} from 'listr2';
import type {Service} from '../manifest/types.js';
import type {ServiceStatus} from '../supervisor/types.js';

// What the progress view needs from a starting stack.
export interface StartWatch {
  status(): ServiceStatus[];
  onEvent(listener: () => void): () => void;
  readonly ready: Promise<void>;
}

type Outcome = 'ready' | 'failed' | 'skipped';

const outcomeOf = (s: ServiceStatus | undefined): Outcome | undefined => {
  if (!s) return undefined;
  if (s.state === 'failed') return 'failed';
  if (s.role === 'init') return s.state === 'exited' ? (s.exitCode === 0 ? 'ready' : 'failed') : undefined;
  return s.state === 'running' && (s.health === 'healthy' || s.health === 'none') ? 'ready' : undefined;
};

// listr2 progress while the stack starts: one task per service, done when it is
// ready. A plain line renderer when not on a TTY or under CI (STYLE "Output").
export async function showStartProgress(watch: StartWatch, services: Service[]): Promise<void> {
  const fancy = process.stdout.isTTY === true && !process.env.CI;
  const started = Date.now();
  const list = new Listr(
    services.map((service) => ({
      title: `${service.name} (${service.role})`,
      task: async (_ctx: unknown, task: {title: string; skip: (message: string) => void}) => {
        const outcome = await waitFor(watch, service.name);
        const status = watch.status().find((s) => s.name === service.name);
        if (outcome === 'skipped') return task.skip(`${service.name}: not started`);
        if (outcome === 'failed') throw new Error(`${service.name}: ${status?.lastError ?? status?.state ?? 'failed'}`);
        task.title = `${service.name} ${service.role === 'init' ? 'completed' : 'ready'} ${dim(`(${((Date.now() - started) / 1000).toFixed(1)}s)`, fancy)}`;
      },
    })),
    {concurrent: true, exitOnError: false, renderer: fancy ? 'default' : 'simple', rendererOptions: {}, collectErrors: false},
  );
  await list.run().catch(() => undefined);
}

function dim(text: string, fancy: boolean): string {
  return fancy && !process.env.NO_COLOR ? `\u001b[2m${text}\u001b[22m` : text;
}

// Settles when this service is ready or failed, or when start-up is over without it.
function waitFor(watch: StartWatch, name: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const check = (): boolean => {
      const outcome = outcomeOf(watch.status().find((s) => s.name === name));
      if (outcome) {
        off();
        resolve(outcome);
        return true;
      }
      return false;
    };
    const off = watch.onEvent(() => void check());
    if (check()) return;
    const settle = () => {
      if (!check()) {
        off();
        const status = watch.status().find((s) => s.name === name);
        resolve(status?.state === 'pending' ? 'skipped' : 'failed');
      }
    };
    watch.ready.then(settle, settle);
  });
}

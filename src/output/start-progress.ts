import {Listr, type ListrTask} from 'listr2';
import type {Service} from '../manifest/types.js';
import type {LogLine, ServiceStatus} from '../supervisor/types.js';
import {sanitizeForTerminal} from './sanitize-terminal.js';

// What the progress view needs from a starting stack.
export interface StartWatch {
  status(): ServiceStatus[];
  onEvent(listener: () => void): () => void;
  readonly ready: Promise<void>;
  // A stop was asked for (Ctrl-C, `sidecar down`): what is not ready yet was stopped, it did not fail.
  stopping(): boolean;
  // With the terminal progress, each row shows its service's latest log line.
  onLog?(listener: (line: LogLine) => void): () => void;
}

type Outcome = 'ready' | 'failed' | 'skipped';

const outcomeOf = (s: ServiceStatus | undefined): Outcome | undefined => {
  if (!s) return undefined;
  if (s.state === 'failed') return 'failed';
  if (s.role === 'init') return s.state === 'exited' ? (s.exitCode === 0 ? 'ready' : 'failed') : undefined;
  return s.state === 'running' && (s.health === 'healthy' || s.health === 'none') ? 'ready' : undefined;
};

type ServiceTask = ListrTask<unknown>;

// listr2 progress while the stack starts: one task per service, done when it is
// ready. A plain line renderer when not on a TTY or under CI (STYLE "Output").
// Several pods (issue 10 point 6): on a terminal one row per pod, its services
// nested under it (collapsed once the pod is ready); plain lines name each
// service by its id (`orders/app ready`), since they interleave across pods.
export async function showStartProgress(watch: StartWatch, services: Service[]): Promise<void> {
  const fancy = fancyProgress();
  const started = Date.now();
  const elapsed = (): string => dim(`(${((Date.now() - started) / 1000).toFixed(1)}s)`, fancy);
  const pods = groupByPod(services);
  const nested = fancy && pods.size > 1;
  const serviceTask = (service: Service, settled: (ok: boolean) => void = () => undefined): ServiceTask => {
    const label = nested ? service.name : service.id;
    return {
      title: `${label} (${service.role})`,
      task: async (_ctx, task) => {
        const offLog = fancy ? watch.onLog?.((line) => {
          if (line.service === service.id) task.output = sanitizeForTerminal(line.line).trimEnd().slice(0, 200);
        }) : undefined;
        const outcome = await waitFor(watch, service.id).finally(() => offLog?.());
        settled(outcome === 'ready');
        const status = watch.status().find((s) => s.name === service.id);
        if (outcome === 'skipped') return task.skip(`${label}: not started`);
        if (outcome === 'failed' && watch.stopping()) return task.skip(`${label}: stopped before it was ready`);
        if (outcome === 'failed') throw new Error(`${label}: ${status?.lastError ?? status?.state ?? 'failed'}`);
        task.title = `${label} ${service.role === 'init' ? 'completed' : 'ready'} ${elapsed()}`;
      },
    };
  };
  const podTask = (pod: string, members: Service[]): ServiceTask => ({
    title: pod,
    task: (_ctx, task) => {
      let left = members.length;
      let failed = false;
      const settled = (ok: boolean): void => {
        failed ||= !ok;
        left -= 1;
        if (left === 0) task.title = failed ? `${pod} not ready` : `${pod} ready ${elapsed()}`;
      };
      return task.newListr(members.map((service) => serviceTask(service, settled)), {concurrent: true, exitOnError: false});
    },
  });
  const list = new Listr(
    nested ? [...pods].map(([pod, members]) => podTask(pod, members)) : services.map((service) => serviceTask(service)),
    // No listr2 signal listener: it would process.exit(127) on Ctrl-C, leaving the stack
    // running; the caller owns SIGINT (stop in order, exit 130).
    {concurrent: true, exitOnError: false, registerSignalListeners: false, renderer: fancy ? 'default' : 'simple', rendererOptions: {}, collectErrors: false},
  );
  await list.run().catch(() => undefined);
}

// Services by pod, pods in the order their first service comes (start order).
function groupByPod(services: Service[]): Map<string, Service[]> {
  const pods = new Map<string, Service[]>();
  for (const service of services) pods.set(service.pod, [...(pods.get(service.pod) ?? []), service]);
  return pods;
}

// The redrawing view on a terminal; plain lines (and logs as they come) otherwise.
export function fancyProgress(): boolean {
  return process.stdout.isTTY === true && !process.env.CI;
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

import type {ChalkInstance} from 'chalk';
import type {PortMapping} from '../manifest/types.js';
import type {PsResult} from '../host/control/protocol.js';
import {podOfId} from '../manifest/service-ref.js';

// `ps --json`: exactly the DESIGN shape, nothing internal (identity, errors) leaks.
// `name` is the service id (`orders/app` in the pods form: what logs, events and
// restart take); `pod` is its pod, the project's name in the single form (DESIGN
// "Several pods": every service carries it).
export function psJson(ps: PsResult): unknown {
  return {
    project: ps.project,
    runtime: ps.runtime,
    supervisor: ps.supervisor,
    services: ps.services.map((s) => ({
      name: s.name,
      pod: podOfId(s.name, ps.project),
      role: s.role,
      state: s.state,
      health: s.health,
      restarts: s.restarts,
      pid: s.pid,
      containerId: s.containerId,
      exitCode: s.exitCode,
      // Only after a memory kill (DESIGN "Resources"), as Kubernetes' OOMKilled reason.
      ...(s.reason ? {reason: s.reason} : {}),
      ports: s.ports,
      // Only when lines were lost (issue 9 point 6), like Kubernetes' optional `reason`.
      ...(s.logsDropped ? {logsDropped: s.logsDropped} : {}),
      // Only under `up --watch` (issue 11.5): the service's watch rules.
      ...(s.watch ? {watch: s.watch} : {}),
    })),
  };
}

export function formatPort(port: PortMapping): string {
  return `${port.hostIp}:${port.hostPort}->${port.containerPort}/${port.protocol}`;
}

// `ps` for people: one row per service, states coloured, backoff with its next
// attempt. With several pods a POD column leads and NAME is the service's name
// in its pod, as `kubectl get pods -A` leads with NAMESPACE.
// `extra` adds columns before PID/CONTAINER (`ps --watch`: CPU and memory).
export function psTable(ps: PsResult, chalk: ChalkInstance, now: number, extra?: {header: string[]; cells(index: number): string[]}): string {
  const pods = new Set(ps.services.map((s) => podOfId(s.name, ps.project)));
  const podColumn = pods.size > 1;
  // Issue 11.5: a WATCH column only under `up --watch` (a service with rules), last: rules are long.
  const watchColumn = ps.services.some((s) => s.watch !== undefined);
  const header = [...(podColumn ? ['POD'] : []), 'NAME', 'ROLE', 'STATE', 'HEALTH', 'RESTARTS', ...(extra?.header ?? []), 'PID/CONTAINER', 'PORTS', ...(watchColumn ? ['WATCH'] : [])];
  const stateColumn = header.indexOf('STATE');
  const rows = ps.services.map((s, index) => {
    const state = s.state === 'backoff' && s.nextRestartAt ? `backoff (${Math.max(0, Math.ceil((s.nextRestartAt - now) / 100) / 10)}s)` : s.state === 'exited' && s.exitCode !== null ? `exited (${s.exitCode}${s.reason ? `, ${s.reason}` : ''})` : s.state;
    const pod = podOfId(s.name, ps.project);
    const names = podColumn ? [pod, s.name.slice(pod.length + 1)] : [s.name];
    return [...names, s.role, state, s.health, String(s.restarts), ...(extra?.cells(index) ?? []), s.containerId?.slice(0, 12) ?? (s.pid === null ? '-' : String(s.pid)), s.ports.map(formatPort).join(', ') || '-', ...(watchColumn ? [s.watch?.join(', ') ?? '-'] : [])];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[], paint: (cell: string, i: number) => string) => cells.map((c, i) => paint(c.padEnd(widths[i]!), i)).join('  ').trimEnd();
  const paintState = (cell: string): string => (/^(running)/.test(cell) ? chalk.green(cell) : /^(failed|backoff)/.test(cell) ? chalk.red(cell) : /^(starting|stopping|pending)/.test(cell) ? chalk.yellow(cell) : cell);
  const orphans = ps.supervisor ? 0 : ps.services.filter((s) => s.state === 'running').length;
  const unsupervised = orphans > 0 ? chalk.red(`no supervisor running, ${orphans} service(s) left running: \`sidecar down\` stops them`) : chalk.dim('no supervisor running');
  const title = `${chalk.bold(ps.project)} (${ps.runtime}) ${ps.supervisor ? `supervisor pid ${ps.supervisor.pid}` : unsupervised}`;
  return [title, line(header, (c) => chalk.dim(c)), ...rows.map((r) => line(r, (c, i) => (i === stateColumn ? paintState(c) : c)))].join('\n');
}

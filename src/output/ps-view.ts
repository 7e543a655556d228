import type {ChalkInstance} from 'chalk';
import type {PortMapping} from '../manifest/types.js';
import type {PsResult} from '../host/control/protocol.js';

// `ps --json`: exactly the DESIGN shape, nothing internal (identity, errors) leaks.
export function psJson(ps: PsResult): unknown {
  return {
    project: ps.project,
    runtime: ps.runtime,
    supervisor: ps.supervisor,
    services: ps.services.map((s) => ({
      name: s.name,
      role: s.role,
      state: s.state,
      health: s.health,
      restarts: s.restarts,
      pid: s.pid,
      containerId: s.containerId,
      exitCode: s.exitCode,
      ports: s.ports,
      // Only when lines were lost (issue 9 point 6), like Kubernetes' optional `reason`.
      ...(s.logsDropped ? {logsDropped: s.logsDropped} : {}),
    })),
  };
}

export function formatPort(port: PortMapping): string {
  return `${port.hostIp}:${port.hostPort}->${port.containerPort}/${port.protocol}`;
}

// `ps` for people: one row per service, states coloured, backoff with its next attempt.
export function psTable(ps: PsResult, chalk: ChalkInstance, now: number): string {
  const header = ['NAME', 'ROLE', 'STATE', 'HEALTH', 'RESTARTS', 'PID/CONTAINER', 'PORTS'];
  const rows = ps.services.map((s) => {
    const state = s.state === 'backoff' && s.nextRestartAt ? `backoff (${Math.max(0, Math.ceil((s.nextRestartAt - now) / 100) / 10)}s)` : s.state === 'exited' && s.exitCode !== null ? `exited (${s.exitCode})` : s.state;
    return [s.name, s.role, state, s.health, String(s.restarts), s.containerId?.slice(0, 12) ?? (s.pid === null ? '-' : String(s.pid)), s.ports.map(formatPort).join(', ') || '-'];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[], paint: (cell: string, i: number) => string) => cells.map((c, i) => paint(c.padEnd(widths[i]!), i)).join('  ').trimEnd();
  const paintState = (cell: string): string => (/^(running)/.test(cell) ? chalk.green(cell) : /^(failed|backoff)/.test(cell) ? chalk.red(cell) : /^(starting|stopping|pending)/.test(cell) ? chalk.yellow(cell) : cell);
  const orphans = ps.supervisor ? 0 : ps.services.filter((s) => s.state === 'running').length;
  const unsupervised = orphans > 0 ? chalk.red(`no supervisor running, ${orphans} service(s) left running: \`sidecar down\` stops them`) : chalk.dim('no supervisor running');
  const title = `${chalk.bold(ps.project)} (${ps.runtime}) ${ps.supervisor ? `supervisor pid ${ps.supervisor.pid}` : unsupervised}`;
  return [title, line(header, (c) => chalk.dim(c)), ...rows.map((r) => line(r, (c, i) => (i === 2 ? paintState(c) : c)))].join('\n');
}

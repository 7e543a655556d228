import {describeEngine} from '../runtime/engine/find.js';
import type {EngineStatus} from '../runtime/engine/ping.js';
import type {DoctorReport} from './doctor.js';

const mark = (ok: boolean): string => (ok ? 'ok  ' : 'no  ');
const from = (s: EngineStatus): string => (s.source === 'DOCKER_HOST' ? 'from DOCKER_HOST' : s.source === 'default' ? 'the default socket' : `where ${s.source} listens`);

// Plain lines for people: what works, and for what does not, why and where it looked.
export function formatReport(report: DoctorReport): string {
  const {docker} = report;
  const lines: string[] = ['Runtimes'];
  lines.push(docker.ok
    ? `  ${mark(true)}docker   ${describeEngine(docker)} (API ${docker.apiVersion ?? '?'}, ${from(docker)})`
    : `  ${mark(false)}docker   no engine answered${report.engines.length === 1 ? ` at ${docker.endpoint} (${from(docker)}): ${docker.error}` : ''}`);
  // With an engine found, the others that also answer (which one lost); with
  // none, every place looked at and why it did not answer.
  const others = docker.ok ? report.engines.filter((s) => s !== docker && s.ok) : report.engines.length > 1 ? report.engines : [];
  for (const other of others) {
    lines.push(other.ok ? `           also answers: ${describeEngine(other)}` : `           ${other.endpoint} (${from(other)}): ${other.error}`);
  }
  const {infra} = report;
  if (infra) {
    const source = infra.fromEnv ? 'SIDECAR_INFRA_IMAGE' : 'the default; SIDECAR_INFRA_IMAGE sets another';
    if (infra.present === true) lines.push(`           pod infra image ${infra.image} is on the engine (${source})`);
    else if (infra.present === false) lines.push(`           pod infra image ${infra.image} is not on the engine: the first Docker \`up\` pulls it (${source}; offline, set it to a local image whose command keeps running)`);
    else lines.push(`           pod infra image ${infra.image}: ${infra.error}`);
  }
  lines.push(report.process.ok
    ? `  ${mark(true)}process  node ${report.process.node} on ${report.process.platform}`
    : `  ${mark(false)}process  ${report.process.error}`);
  lines.push(`  --runtime auto picks: ${report.auto}${report.auto === 'process' ? ' (for services with a command)' : ' (for services with an image or build)'}`);
  lines.push('Tools on PATH');
  for (const tool of report.tools) {
    if (!tool.found) lines.push(`  ${mark(false)}${tool.name.padEnd(15)} not found`);
    else lines.push(`  ${mark(!tool.error)}${tool.name.padEnd(15)} ${tool.version ?? '(version unknown)'}  ${tool.path}${tool.error ? `  ${tool.error}` : ''}`);
  }
  return lines.join('\n') + '\n';
}

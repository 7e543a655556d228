import type {DoctorReport} from './doctor.js';

// Plain lines for people: what works, and for what does not, why and where it looked.
export function formatReport(report: DoctorReport): string {
  const mark = (ok: boolean): string => (ok ? 'ok  ' : 'no  ');
  const {docker} = report;
  const lines: string[] = ['Runtimes'];
  const looked = `${docker.endpoint} (from ${docker.source === 'default' ? 'the default socket' : 'DOCKER_HOST'})`;
  lines.push(docker.ok
    ? `  ${mark(true)}docker   engine ${docker.version ?? '?'} (API ${docker.apiVersion ?? '?'}) at ${looked}`
    : `  ${mark(false)}docker   no engine answered at ${looked}: ${docker.error}`);
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

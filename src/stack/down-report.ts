import {safeJson} from '../output/safe-json.js';
import type {DownResult} from './down-live.js';

// What `down` prints (or its JSON), the same from the lean path (src/lean-down.ts) and the full one.
export function printDown(result: DownResult, flags: {json: boolean}): void {
  if (flags.json) {
    process.stdout.write(safeJson(result, 2) + '\n');
    return;
  }
  const what = result.project ?? 'the stack';
  if (result.outcome === 'nothing') process.stdout.write(`nothing is running${removedVolumes(result.volumesRemoved)}\n`);
  else if (result.outcome === 'stopped') {
    process.stdout.write(`stopped ${what}${removedVolumes(result.volumesRemoved)}\n`);
    if (result.filesLeft !== undefined) {
      process.stderr.write(`warning: .sidecar/ could not be written (${result.filesLeft}): its lock and state files are left; make it writable (\`chmod u+w .sidecar\`), then \`sidecar down\` removes them\n`);
    }
  }
  else if (result.leftBy === 'interrupted up') process.stdout.write(`an interrupted \`up\` had left the pod's infra container: removed it\n`);
  else process.stdout.write(`the supervisor of ${what} was gone; ${leftovers(result)}\n`);
}

// What a reap stopped, as it was: containers or processes, and of how many services
// (the pod, or a process's escaped children, are units of no service of their own).
function leftovers(result: DownResult): string {
  const n = result.reaped;
  if (n === 0) return 'nothing of it was still running';
  const services = result.reapedServices?.length ?? 0;
  const plural = (count: number, one: string, many: string): string => `${count} ${count === 1 ? one : many}`;
  if (result.runtime === 'docker') {
    // The rest are infra containers: one per pod.
    const pods = n - services;
    const pod = pods === 1 ? ' and the pod' : pods > 1 ? ` and ${pods} pods` : '';
    return `stopped ${plural(n, 'leftover container', 'leftover containers')} (${plural(services, 'service', 'services')}${pod})`;
  }
  return `stopped ${plural(n, 'leftover process', 'leftover processes')} in ${plural(services, 'service', 'services')}`;
}

function removedVolumes(names: string[] | undefined): string {
  if (names === undefined) return '';
  // "named": an emptyDir of a Kubernetes pod goes with every stop, `--volumes` or not.
  if (names.length === 0) return '; no named volume to remove';
  return `; removed ${names.length} ${names.length === 1 ? 'volume' : 'volumes'}: ${names.join(', ')}`;
}

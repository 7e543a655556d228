import type {RestartPolicy} from '../manifest/types.js';

// Compose/Kubernetes restart policies; death by signal counts as a failure.
export function shouldRestart(policy: RestartPolicy, exitCode: number | null): boolean {
  switch (policy) {
    case 'always':
      return true;
    case 'on-failure':
      return exitCode !== 0;
    case 'never':
      return false;
  }
}

import {SidecarError} from '../errors/index.js';
import {sourceOfManifest} from '../manifest/loaded-source.js';
import {invalid} from '../manifest/parse.js';
import type {Manifest} from '../manifest/types.js';
import {watchedServices, watchRuntimeProblems} from '../manifest/watch-rules.js';

// `up --watch` before anything starts: rules to follow, and rules this runtime can carry out.
// On a running stack it is `up` again: the stack follows the rules from then on.
export function assertWatchable(manifest: Manifest, runtime: string): void {
  if (watchedServices(manifest).length === 0) {
    throw new SidecarError('SIDECAR_USAGE', `--watch: no service of ${manifest.name} has watch rules`, {
      suggestion: 'add rules under a service, e.g. watch: [{path: ./src, action: restart}] (docs/manifest.md, Watch)',
    });
  }
  const problems = watchRuntimeProblems(sourceOfManifest(manifest), manifest, runtime);
  if (problems.length > 0) throw invalid(problems);
}

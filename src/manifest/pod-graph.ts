import {didYouMean} from './did-you-mean.js';
import {podRefs} from './pod-refs.js';
import type {PathSegment} from './source.js';
import type {Manifest, Pod} from './types.js';

type At = (p: PathSegment[], message: string, suggestion: string) => void;
type AtText = (p: PathSegment[], needle: string, message: string, suggestion: string) => void;

// `after` between pods (DESIGN "Several pods"): a pod names declared pods other
// than itself, without cycles, so the stack has a start order (as Compose
// rejects depends_on on an unknown service and a dependency cycle).
export function checkPodAfter(manifest: Manifest, at: At): void {
  const names = manifest.pods.map((pod) => pod.name);
  for (const pod of manifest.pods) {
    pod.after.forEach((name, index) => {
      const p = ['pods', pod.name, 'after', index];
      if (name === pod.name) at(p, `pod "${name}" cannot start after itself`, `remove "${name}" from after`);
      else if (!names.includes(name)) at(p, `pod "${name}" is not declared`, unknownPodHint(name, names, (guess) => `did you mean "${guess}"?`));
    });
  }
  for (const cycle of podCycles(manifest.pods)) {
    const first = manifest.pods.find((pod) => pod.name === cycle[0])!;
    at(['pods', first.name, 'after', first.after.indexOf(cycle[1]!)], `pods start in a cycle: ${cycle.join(' -> ')}`, 'remove one of the `after` entries in the cycle');
  }
}

function unknownPodHint(name: string, names: string[], guessed: (guess: string) => string): string {
  const guess = didYouMean(name, names);
  return guess ? guessed(guess) : `declared pods: ${names.join(', ')}`;
}

// Every cycle once, each starting at its pod declared first, followed the way
// `after` points (a -> c: a starts after c). Self-references are reported apart.
function podCycles(pods: Pod[]): string[][] {
  const byName = new Map(pods.map((pod) => [pod.name, pod]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (name: string): void => {
    state.set(name, 'visiting');
    stack.push(name);
    for (const next of byName.get(name)!.after) {
      if (next === name || !byName.has(next)) continue;
      if (state.get(next) === 'visiting') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const pod of pods) if (!state.has(pod.name)) visit(pod.name);
  const order = pods.map((pod) => pod.name);
  // Rotate each cycle to start at its earliest-declared pod, so the place is stable.
  return cycles.map((cycle) => {
    const ring = cycle.slice(0, -1);
    const start = ring.reduce((best, name, i) => (order.indexOf(name) < order.indexOf(ring[best]!) ? i : best), 0);
    const rotated = [...ring.slice(start), ...ring.slice(0, start)];
    return [...rotated, rotated[0]!];
  });
}

// `${pods.NAME.host}` must name a declared pod; said at the reference itself.
export function checkPodRefs(manifest: Manifest, value: string, p: PathSegment[], at: AtText): void {
  const names = manifest.pods.map((pod) => pod.name);
  for (const name of podRefs(value)) {
    if (names.includes(name)) continue;
    const hint =
      manifest.form === 'single'
        ? `this manifest has one pod: its only pod is "${names[0]}"; to reach other pods, declare them under \`pods:\` (see docs/manifest.md)`
        : unknownPodHint(name, names, (guess) => `did you mean \${pods.${guess}.host}?`);
    at(p, `\${pods.${name}.host}`, `\${pods.${name}.host} names an undeclared pod "${name}"`, hint);
  }
}

import type Docker from 'dockerode';
import {SidecarError} from '../../errors/index.js';
import type {Manifest} from '../../manifest/types.js';
import {engineMessage, statusOf} from './engine-errors.js';
import {networkName, projectFilter, projectLabels} from './naming.js';
import type {CreationGuard} from './creation-guard.js';

// The project's user-defined bridge network (pods form): its embedded DNS is
// what lets pod A reach pod B as `B`. Labelled like everything else, so `down`
// finds it without the supervisor. Idempotent: an existing network of this
// project is reused (a second `up`, a pod recreated after podLost).
export async function ensureNetwork(docker: Docker, manifest: Manifest, guard?: CreationGuard): Promise<string | undefined> {
  const name = networkName(manifest);
  if (name === undefined) return undefined;
  const labels = projectLabels(manifest);
  const ours = (found: Docker.NetworkInspectInfo): boolean => Object.entries(labels).every(([key, value]) => found.Labels?.[key] === value);
  const existing = await inspectNetwork(docker, name);
  if (existing) {
    if (ours(existing)) return name;
    throw notOurs(name);
  }
  try {
    const create = () => docker.createNetwork({Name: name, Driver: 'bridge', CheckDuplicate: true, Labels: labels});
    await (guard ? guard.ask(create) : create());
  } catch (error) {
    // Another `up` of this project created it in between: fine if it is ours.
    const raced = statusOf(error) === 409 ? await inspectNetwork(docker, name) : undefined;
    if (raced && ours(raced)) return name;
    if (raced) throw notOurs(name);
    throw new SidecarError('SIDECAR_STACK_FAILED', `creating the project network ${name} failed: ${engineMessage(error)}`, {
      cause: error,
      service: null,
      suggestion: 'see `docker network ls`: the engine may have run out of address pools (`docker network prune` removes unused networks)',
    });
  }
  return name;
}

function notOurs(name: string): SidecarError {
  return new SidecarError('SIDECAR_STACK_FAILED', `a network named ${name} exists but is not this project's`, {service: null, suggestion: `remove it (docker network rm ${name}) or rename the project`});
}

async function inspectNetwork(docker: Docker, name: string): Promise<Docker.NetworkInspectInfo | undefined> {
  try {
    return (await docker.getNetwork(name).inspect()) as Docker.NetworkInspectInfo;
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

const REMOVAL_DEADLINE_MS = 15_000;

// Every network carrying the project's labels (whatever form made it). Called
// after the containers are removed; an endpoint still being released makes the
// engine refuse for a moment (403/409 "has active endpoints"): retry, bounded.
export async function removeNetworks(docker: Docker, manifest: Manifest): Promise<void> {
  const networks = await docker.listNetworks({filters: {label: projectFilter(manifest)}});
  await Promise.all(
    networks.map(async (network) => {
      const deadline = Date.now() + REMOVAL_DEADLINE_MS;
      for (;;) {
        try {
          await docker.getNetwork(network.Id).remove();
          return;
        } catch (error) {
          const status = statusOf(error);
          if (status === 404) return;
          if ((status !== 403 && status !== 409 && status !== 500) || Date.now() > deadline) throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }),
  );
}

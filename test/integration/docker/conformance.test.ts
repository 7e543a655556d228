import path from 'node:path';
import {fileURLToPath} from 'node:url';
import Docker from 'dockerode';
import {GateDirs} from '../../../src/runtime/docker/start-gate.js';
import {afterAll} from 'vitest';
import {DockerRuntime, Label} from '../../../src/runtime/docker/index.js';
import {shortHash} from '../../../src/runtime/docker/naming.js';
import {service} from '../../helpers/manifest-builder.js';
import {conformanceSuite} from '../conformance/suite.js';
import {processesWithMark} from '../../helpers/proc-scan.js';
import {describeDocker, tempProject, TEST_IMAGES} from './docker-engine.js';

// The same lifecycle scenarios as the process runtime, on containers: the
// fixture programs run in the local node image, bind-mounted read-only.
// An engine running as another user (rootless Docker) reads copies elsewhere:
// see test/integration/rootless-docker/use-rootless-docker.ts.
const here = process.env.SIDECAR_TEST_HARNESS_DIR ?? path.dirname(fileURLToPath(import.meta.url));
const programs = process.env.SIDECAR_TEST_PROGRAMS_DIR ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/programs');
const dir = tempProject('sidecar-dconf').dir;
const docker = new Docker();

describeDocker('DockerRuntime conformance', () => {
  // The suite stops supervisors; the pods, exited containers and the pods
  // form's networks are teardown's job (the `down` command's), done here once
  // for every stack of this file.
  afterAll(async () => {
    const label = [`${Label.projectDir}=${shortHash(dir, 8)}`];
    const left = await docker.listContainers({all: true, filters: {label}});
    // Units before the pods' infra: podman refuses to remove an infra container
    // while containers that joined its network exist.
    const remove = (c: Docker.ContainerInfo): Promise<unknown> => docker.getContainer(c.Id).remove({force: true, v: true});
    await Promise.all(left.filter((c) => c.Labels[Label.role] !== 'infra').map(remove));
    await Promise.all(left.filter((c) => c.Labels[Label.role] === 'infra').map(remove));
    const networks = await docker.listNetworks({filters: {label}});
    await Promise.all(networks.map((n) => docker.getNetwork(n.Id).remove()));
    // The start gates the last stack noted (start-gate.ts), as `down` removes them.
    new GateDirs(dir).removeAll();
  });
  conformanceSuite(() => new DockerRuntime(), {
    service: (name, role, program, overrides) =>
      service(name, role, {
        image: TEST_IMAGES.node,
        command: ['node', '--import', '/harness/listen-any.mjs', `/programs/${program}.js`],
        volumes: [
          {type: 'bind', source: programs, hostPath: programs, target: '/programs', readOnly: true},
          {type: 'bind', source: here, hostPath: here, target: '/harness', readOnly: true},
        ],
        workdir: dir,
        ...overrides,
      }),
    manifestDir: () => dir,
    // Container processes are host processes too: /proc sees their environment.
    survivors: async (mark) => processesWithMark(mark),
    kill9: async (status) => {
      const info = await docker.getContainer(status.containerId!).inspect();
      process.kill(info.State.Pid, 'SIGKILL');
    },
  });
});

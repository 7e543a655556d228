import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {SidecarError} from '../../../src/errors/index.js';
import {loadManifest} from '../../../src/manifest/load.js';
import {allServices, podsInStartOrder} from '../../../src/manifest/types.js';

// Issue 10.1: the cross-references of the pods: form (after between pods,
// ${pods.NAME.host}, names, volumes, ports) at file:line:column, all at once.
const root = mkdtempSync(path.join(tmpdir(), 'sidecar-pods-graph-'));
afterAll(() => rmSync(root, {recursive: true, force: true}));

function write(yaml: string): string {
  const dir = mkdtempSync(path.join(root, 'case-'));
  writeFileSync(path.join(dir, 'sidecar.yaml'), yaml);
  return path.join(dir, 'sidecar.yaml');
}

async function problems(yaml: string, env: Record<string, string> = {}): Promise<string[]> {
  const file = write(yaml);
  try {
    await loadManifest(file, {env});
  } catch (error) {
    if (!(error instanceof SidecarError)) throw error;
    expect(error.code).toBe('SIDECAR_MANIFEST_INVALID');
    expect(error.exitCode).toBe(3);
    for (const problem of error.problems) {
      expect(problem.place?.file).toBe(file);
      expect(problem.suggestion).toBeTruthy();
    }
    // The file's own path stands as FILE, so messages naming another place can be matched.
    return error.problems.map((p) => `${p.place?.line}:${p.place?.column} ${p.place?.path} | ${p.message} | ${p.suggestion}`.replaceAll(file, 'FILE'));
  }
  throw new Error('loaded without an error');
}

const app = (extra = '') => `    app:\n      command: [x]\n${extra}`;

const CASES: {name: string; yaml: string; env?: Record<string, string>; expected: RegExp[]}[] = [
  {
    name: 'after names an unknown pod: did you mean',
    yaml: `version: 1\npods:\n  payments:\n${app()}  orders:\n    after: [paymnts]\n${app()}`,
    expected: [/^7:13 pods\.orders\.after\[0\] \| pod "paymnts" is not declared \| did you mean "payments"\?$/],
  },
  {
    name: 'after names an unknown pod: the declared ones',
    yaml: `version: 1\npods:\n  payments:\n${app()}  orders:\n    after: [db]\n${app()}`,
    expected: [/^7:13 pods\.orders\.after\[0\] \| pod "db" is not declared \| declared pods: payments, orders$/],
  },
  {
    name: 'after names its own pod',
    yaml: `version: 1\npods:\n  orders:\n    after: [orders]\n${app()}`,
    expected: [/^4:13 pods\.orders\.after\[0\] \| pod "orders" cannot start after itself \| remove "orders" from after$/],
  },
  {
    name: 'after forms a cycle: named in full, at the first pod of the cycle',
    yaml: `version: 1\npods:\n  a:\n    after: [c]\n${app()}  b:\n    after: [a]\n${app()}  c:\n    after: [b]\n${app()}  d:\n    after: [a]\n${app()}`,
    expected: [/^4:13 pods\.a\.after\[0\] \| pods start in a cycle: a -> c -> b -> a \| remove one of the `after` entries in the cycle$/],
  },
  {
    name: 'two separate cycles are both reported',
    yaml: `version: 1\npods:\n  a:\n    after: [b]\n${app()}  b:\n    after: [a]\n${app()}  c:\n    after: [d]\n${app()}  d:\n    after: [c]\n${app()}`,
    expected: [/^4:13 pods\.a\.after\[0\] \| pods start in a cycle: a -> b -> a/, /^12:13 pods\.c\.after\[0\] \| pods start in a cycle: c -> d -> c/],
  },
  {
    name: '${pods.X.host} naming an unknown pod, at each place it is used',
    yaml: [
      'version: 1',
      'pods:',
      '  payments:',
      '    app:',
      '      command: [x, "--upstream=${pods.nope.host}"]',
      '      env: {UP: "http://${pods.paymnts.host}:80"}',
      '      process:',
      '        command: [x, "${pods.ghost.host}"]',
      '        env: {UP: "${pods.ghost.host}"}',
      '      health:',
      '        exec: [check, "${pods.ghost.host}"]',
      '',
    ].join('\n'),
    expected: [
      /^5:32 pods\.payments\.app\.command\[1\] \| \$\{pods\.nope\.host\} names an undeclared pod "nope" \| declared pods: payments$/,
      /^6:25 pods\.payments\.app\.env\.UP \| \$\{pods\.paymnts\.host\} names an undeclared pod "paymnts" \| did you mean \$\{pods\.payments\.host\}\?$/,
      /^8:23 pods\.payments\.app\.process\.command\[1\] \| \$\{pods\.ghost\.host\} names an undeclared pod "ghost"/,
      /^9:20 pods\.payments\.app\.process\.env\.UP \| \$\{pods\.ghost\.host\} names an undeclared pod "ghost"/,
      /^11:24 pods\.payments\.app\.health\.exec\[1\] \| \$\{pods\.ghost\.host\} names an undeclared pod "ghost"/,
    ],
  },
  {
    name: '${pods.X.host} in the single form names its only pod',
    yaml: 'version: 1\nname: shop\napp:\n  command: [x]\n  env: {UP: "${pods.payments.host}"}\n',
    expected: [/^5:14 app\.env\.UP \| \$\{pods\.payments\.host\} names an undeclared pod "payments" \| .*only pod is "shop"/],
  },
  {
    name: 'service names are unique within a pod',
    yaml: `version: 1\npods:\n  web:\n${app()}    sidecars:\n      proxy: {image: envoy}\n    init:\n      proxy: {command: [m]}\n`,
    expected: [/^9:7 pods\.web\.init\.proxy \| the name "proxy" is already used by a sidecar/],
  },
  {
    name: 'service after within a pod names only that pod\'s sidecars',
    yaml: `version: 1\npods:\n  web:\n${app()}    sidecars:\n      proxy: {image: envoy, after: [metrics]}\n  api:\n${app()}    sidecars:\n      metrics: {image: prom}\n`,
    expected: [/^7:37 pods\.web\.sidecars\.proxy\.after\[0\] \| "metrics" is not a sidecar or init job \| use one of: proxy$/],
  },
  {
    name: 'service after naming another pod or POD/SERVICE: pods order each other at the pod',
    yaml: `version: 1\npods:\n  web:\n${app()}    sidecars:\n      proxy: {image: envoy, after: [api]}\n      cache: {image: redis, after: [api/app]}\n  api:\n${app()}`,
    expected: [
      /^7:37 pods\.web\.sidecars\.proxy\.after\[0\] \| "api" is not a sidecar or init job \| a service waits only for sidecars and init jobs of its own pod; to start after pod "api", write after: \[api\] on the pod \(pods\.web\.after\)$/,
      /^8:37 pods\.web\.sidecars\.cache\.after\[0\] \| "api\/app" is not a sidecar or init job \| .*write after: \[api\] on the pod/,
    ],
  },
  {
    name: 'volumes: undeclared in a pod, and ${volumes.X} not mounted by that service',
    yaml: `version: 1\npods:\n  web:\n${app('      volumes: ["cache:/cache"]\n')}  api:\n${app('      env: {DATA: "${volumes.data}"}\n')}volumes:\n  data: {}\n`,
    expected: [
      /^6:17 pods\.web\.app\.volumes\[0\] \| volume "cache" is not declared \| add it at the top level: volumes: \{cache: \{\}\}$/,
      /^10:19 pods\.api\.app\.env\.DATA \| \$\{volumes\.data\} is used but "app" does not mount volume "data"/,
    ],
  },
  {
    name: 'volumes declared inside a pod: they belong at the top',
    yaml: `version: 1\npods:\n  web:\n${app()}    volumes:\n      data: {}\n`,
    expected: [/^6:5 pods\.web\.volumes \| unknown key "volumes" \| volumes are declared once, at the top level \(volumes: \{data: \{\}\}\), and mounted from any pod$/],
  },
  {
    name: 'a host port published twice across pods: at the later one, naming the first',
    yaml: `version: 1\npods:\n  web:\n${app('      ports: ["8080:80"]\n')}  api:\n${app('      ports: ["8080:81"]\n')}`,
    expected: [/^10:15 pods\.api\.app\.ports\[0\] \| host port 8080 is already published by web\/app \(FILE:6:15 pods\.web\.app\.ports\[0\]\) \| publish a different host port/],
  },
  {
    name: 'container ports clash within a pod, as in the single form',
    yaml: `version: 1\npods:\n  web:\n${app('      ports: ["8080"]\n')}    sidecars:\n      proxy: {image: envoy, health: {tcp: {port: 8080}}}\n  api:\n${app('      ports: ["9090"]\n')}`,
    expected: [/^8:50 pods\.web\.sidecars\.proxy\.health\.tcp\.port \| port 8080 is already used by app \(FILE:6:15 pods\.web\.app\.ports\[0\]\); proxy is probed on it too/],
  },
  {
    name: 'typed interpolation inside a pod: a wrong value names its variable',
    yaml: `version: 1\npods:\n  web:\n${app('      health:\n        tcp: {port: "${PORT}"}\n        retries: ${N}\n')}`,
    env: {PORT: 'http', N: '0'},
    expected: [
      /^7:21 pods\.web\.app\.health\.tcp\.port \| PORT="http": expected integer, got "http"/,
      /^8:18 pods\.web\.app\.health\.retries \| N="0": number 0 is out of range/,
    ],
  },
  {
    name: '${pods.X.host} and ${volumes.X} where no runtime resolves them: at the reference',
    yaml: [
      'version: 1',
      'pods:',
      '  web:',
      '    app:',
      '      image: "reg/${pods.web.host}:1"',
      '      command: [x]',
      '      volumes: ["data:/data"]',
      '      health: {http: {port: 80, headers: {Host: "${pods.web.host}"}}}',
      '    sidecars:',
      '      proxy: {command: [p], workdir: "${volumes.data}"}',
      'volumes:',
      '  data: {}',
      '',
    ].join('\n'),
    expected: [
      /^5:19 pods\.web\.app\.image \| \$\{pods\.web\.host\} is not resolved in image \| \$\{pods\.NAME\.host\} works in env values, command arguments \(process: too\) and health\.exec/,
      /^8:50 pods\.web\.app\.health\.http\.headers\.Host \| \$\{pods\.web\.host\} is not resolved in health\.http\.headers\.Host \|/,
      /^10:39 pods\.web\.sidecars\.proxy\.workdir \| \$\{volumes\.data\} is not resolved in workdir \| \$\{volumes\.NAME\} works in/,
    ],
  },
];

describe('pods: cross-references at file:line:column (issue 10.1)', () => {
  it.each(CASES)('$name', async ({yaml, env, expected}) => {
    const list = await problems(yaml, env);
    expect(list, list.join('\n')).toHaveLength(expected.length);
    expected.forEach((pattern, i) => expect(list[i], list.join('\n')).toMatch(pattern));
  });
});

describe('what the single form allows works inside each pod', () => {
  it('the same service names and container ports in two pods; a volume shared by pods; ${pods.X.host} of any pod, its own too', async () => {
    const yaml = [
      'version: 1',
      'pods:',
      '  web:',
      '    after: [api]',
      '    app:',
      '      command: [x, "${pods.api.host}", "${volumes.data}"]',
      '      ports: ["18080:8080"]',
      '      volumes: ["data:/data"]',
      '      health: {http: {port: "${PORT:-8080}"}}',
      '    sidecars:',
      '      proxy: {command: [p], env: {SELF: "${pods.web.host}"}, health: {tcp: {port: 15000}}}',
      '  api:',
      '    app:',
      '      command: [x]',
      '      ports: ["18081:8080"]',
      '      volumes: ["data:/data:ro"]',
      '      health: {exec: [check, "${pods.web.host}"], retries: "${N:-2}"}',
      '    sidecars:',
      '      proxy: {command: [p], health: {tcp: {port: 15000}}}',
      'volumes:',
      '  data: {}',
      '',
    ].join('\n');
    const m = await loadManifest(write(yaml), {env: {}});
    expect(podsInStartOrder(m).map((p) => p.name)).toEqual(['api', 'web']);
    expect(allServices(m).map((s) => s.id)).toEqual(['api/proxy', 'api/app', 'web/proxy', 'web/app']);
    expect(m.pods[0]!.app.command).toEqual(['x', '${pods.api.host}', '${volumes.data}']);
    expect(m.pods[0]!.app.health!.check).toMatchObject({kind: 'http', port: 8080});
    expect(m.pods[1]!.app.health!.retries).toBe(2);
  });
});

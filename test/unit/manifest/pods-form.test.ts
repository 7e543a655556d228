import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, describe, expect, it} from 'vitest';
import {SidecarError} from '../../../src/errors/index.js';
import {loadManifest} from '../../../src/manifest/load.js';
import {allServices} from '../../../src/manifest/types.js';

// Issue 10.1: the `pods:` form, its schema and the errors of mixing the two forms.
const root = mkdtempSync(path.join(tmpdir(), 'sidecar-pods-'));
afterAll(() => rmSync(root, {recursive: true, force: true}));
const shop = fileURLToPath(new URL('../../fixtures/manifests/pods/shop.yaml', import.meta.url));

function write(yaml: string): string {
  const dir = mkdtempSync(path.join(root, 'case-'));
  writeFileSync(path.join(dir, 'sidecar.yaml'), yaml);
  return path.join(dir, 'sidecar.yaml');
}

async function problems(yaml: string): Promise<{file: string; list: string[]}> {
  const file = write(yaml);
  try {
    await loadManifest(file, {env: {}});
  } catch (error) {
    if (!(error instanceof SidecarError)) throw error;
    expect(error.code).toBe('SIDECAR_MANIFEST_INVALID');
    expect(error.exitCode).toBe(3);
    for (const problem of error.problems) {
      expect(problem.place?.file).toBe(file);
      expect(problem.suggestion).toBeTruthy();
    }
    return {file, list: error.problems.map((p) => `${p.place?.line}:${p.place?.column} ${p.place?.path} | ${p.message} | ${p.suggestion}`)};
  }
  throw new Error('loaded without an error');
}

describe('the pods: form loads into the stack model', () => {
  it('DESIGN example: pods in file order, ids POD/SERVICE, after, startup, shared volumes', async () => {
    const m = await loadManifest(shop, {env: {}});
    expect(m.form).toBe('pods');
    expect(m.name).toBe('shop');
    expect(m.pods.map((p) => [p.name, p.after, p.startup])).toEqual([['payments', [], 'ordered'], ['orders', ['payments'], 'parallel']]);
    expect(allServices(m).map((s) => s.id)).toEqual(['payments/migrate', 'payments/ingress', 'payments/app', 'orders/egress', 'orders/app']);
    expect(allServices(m).every((s) => s.id === `${s.pod}/${s.name}`)).toBe(true);
    const egress = m.pods[1]!.sidecars[0]!;
    expect(egress.env.UPSTREAM).toBe('http://${pods.payments.host}:15000');
    expect(egress.health?.check).toEqual({kind: 'tcp', port: 15001});
    expect(m.pods[0]!.init[0]!.env.LEDGER).toBe('${volumes.ledger}');
    expect(m.volumes).toEqual({ledger: {name: 'ledger', external: false}});
  });

  it('the single form is still a stack of one pod named after the project', async () => {
    const m = await loadManifest(write('version: 1\nname: solo\napp:\n  command: [x]\n'), {env: {}});
    expect(m.form).toBe('single');
    expect(m.pods.map((p) => p.name)).toEqual(['solo']);
    expect(m.pods[0]!.app.id).toBe('app');
  });
});

const APP = '    app: {command: [x]}\n';

// Each case: the manifest, then every problem expected (line:column path | message | suggestion), in order.
const FORM_ERRORS: {name: string; yaml: string; expected: RegExp[]}[] = [
  {
    name: 'both app and pods: at the top-level app key, with the fix',
    yaml: `version: 1\napp:\n  command: [x]\npods:\n  web:\n${APP}`,
    expected: [/^2:1 app \| top-level "app" cannot be used together with "pods" \| .*either a top-level `app` \(one pod\) or `pods`, never both: move this app under pods\.NAME\.app/],
  },
  {
    name: 'neither app nor pods',
    yaml: 'version: 1\nname: empty\n',
    expected: [/^1:1 {2}\| the manifest needs an `app:` section \(the main service\) or `pods:` \(several pods\) \| add `app:`.*or `pods:`/],
  },
  {
    name: 'top-level sidecars, init and startup with pods: each at its key, all at once',
    yaml: `version: 1\nstartup: parallel\npods:\n  web:\n${APP}sidecars:\n  proxy: {image: envoy}\ninit:\n  migrate: {command: [m]}\n`,
    expected: [
      /^2:1 startup \| top-level "startup" cannot be used together with "pods" \| move it into the pod it belongs to: pods\.NAME\.startup$/,
      /^6:1 sidecars \| top-level "sidecars" cannot be used together with "pods" \| move it into the pod it belongs to: pods\.NAME\.sidecars$/,
      /^8:1 init \| top-level "init" cannot be used together with "pods" \| move it into the pod it belongs to: pods\.NAME\.init$/,
    ],
  },
  {
    name: 'a pod without an app, at the pod name',
    yaml: 'version: 1\npods:\n  web:\n    sidecars:\n      proxy: {image: envoy}\n',
    expected: [/^3:3 pods\.web \| pod "web" has no app \| add `app:` .* under pods\.web$/],
  },
  {
    name: 'an empty pod',
    yaml: `version: 1\npods:\n  web:\n  api:\n${APP}`,
    expected: [/^3:3 pods\.web \| pod "web" is empty \| give it an `app:`/],
  },
  {
    name: 'empty pods',
    yaml: 'version: 1\npods: {}\n',
    expected: [/^2:7 pods \| `pods` is empty \| declare at least one pod/],
  },
  {
    name: 'pod name not a DNS label',
    yaml: `version: 1\npods:\n  Web_1:\n${APP}`,
    expected: [/^3:3 pods\.Web_1 \| "Web_1" is not a valid name \| use lowercase letters, digits and dashes/],
  },
  {
    name: 'pod name longer than 63 characters',
    yaml: `version: 1\npods:\n  ${'a'.repeat(64)}:\n${APP}`,
    expected: [/^3:3 pods\.a{64} \| the name "a{64}" is longer than 63 characters \| .*DNS labels/],
  },
  {
    name: 'unknown key in a pod, with did-you-mean',
    yaml: `version: 1\npods:\n  web:\n    afer: [api]\n${APP}  api:\n${APP}`,
    expected: [/^4:5 pods\.web\.afer \| unknown key "afer" \| did you mean "after"\?$/],
  },
  {
    name: 'after not a list',
    yaml: `version: 1\npods:\n  web:\n    after: api\n${APP}  api:\n${APP}`,
    expected: [/^4:12 pods\.web\.after \| expected array, got "api"/],
  },
  {
    name: 'after repeating a pod',
    yaml: `version: 1\npods:\n  web:\n    after: [api, api]\n${APP}  api:\n${APP}`,
    expected: [/^4:12 pods\.web\.after \| the list repeats an item/],
  },
  {
    name: 'service problems inside a pod are placed inside it',
    yaml: 'version: 1\npods:\n  web:\n    app:\n      command: [x]\n      stopTimeout: 5\n    sidecars:\n      proxy: {helth: {tcp: {port: 1}}}\n',
    expected: [
      /^6:20 pods\.web\.app\.stopTimeout \| 5 has no unit/,
      /^8:14 pods\.web\.sidecars\.proxy \| service "proxy" has nothing to run/,
      /^8:15 pods\.web\.sidecars\.proxy\.helth \| unknown key "helth" \| did you mean "health"\?/,
    ],
  },
];

describe('form errors (issue 10.1): every problem at once, at file:line:column', () => {
  it.each(FORM_ERRORS)('$name', async ({yaml, expected}) => {
    const {list} = await problems(yaml);
    expect(list, list.join('\n')).toHaveLength(expected.length);
    expected.forEach((pattern, i) => expect(list[i]).toMatch(pattern));
  });
});

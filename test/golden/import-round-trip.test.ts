import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {parseAllDocuments, parse} from 'yaml';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {k8sDocuments} from '../../src/generate/k8s.js';
import {planImport, writeImport} from '../../src/import/import-file.js';
import {loadManifest} from '../../src/manifest/load.js';
import {IMPORT_CASES} from './import-cases.js';

type Raw = Record<string, any>;

// Issue 12.3 round trip: Kubernetes YAML -> `sidecar import` -> sidecar.yaml (which
// must validate, paths checked) -> `generate k8s` gives back the same containers in
// the same order under the same names, the same probes and the same volumes. Where
// the two differ by design it is said here: a ConfigMap/Secret volume comes back as
// a hostPath to the files the import wrote, and a gate gets both a startupProbe and
// a readinessProbe.
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-import-'));
});
afterAll(() => rmSync(dir, {recursive: true, force: true}));

const WORKLOADS = ['Pod', 'Deployment', 'StatefulSet', 'Job'];
function podSpec(doc: Raw): Raw {
  return doc.kind === 'Pod' ? doc.spec : doc.spec.template.spec;
}

// The probe handler as the kubelet runs it, named ports resolved to numbers.
function handler(probe: Raw | undefined, container: Raw): Raw | undefined {
  if (!probe || probe.grpc) return undefined;
  const named = new Map<string, number>((container.ports ?? []).filter((p: Raw) => p.name).map((p: Raw) => [p.name, p.containerPort]));
  const port = (value: unknown) => (typeof value === 'string' ? named.get(value) : value);
  if (probe.exec) return {exec: {command: probe.exec.command}};
  if (probe.tcpSocket) return {tcpSocket: {port: port(probe.tcpSocket.port)}};
  return {httpGet: {path: probe.httpGet.path ?? '/', port: port(probe.httpGet.port), scheme: probe.httpGet.scheme ?? 'HTTP', ...(probe.httpGet.httpHeaders ? {httpHeaders: probe.httpGet.httpHeaders} : {})}};
}

function mounts(container: Raw, volumes: Raw[]): {mountPath: string; readOnly: boolean; kind: string; name: string}[] {
  return (container.volumeMounts ?? []).map((m: Raw) => {
    const volume = volumes.find((v) => v.name === m.name) ?? {};
    const projected = volume.configMap !== undefined || volume.secret !== undefined;
    const kind = volume.hostPath ? `hostPath:${volume.hostPath.path}` : projected ? 'files' : 'emptyDir';
    return {mountPath: m.mountPath, readOnly: m.readOnly === true || projected, kind, name: m.name};
  });
}

function outputMounts(container: Raw, volumes: Raw[]): {mountPath: string; readOnly: boolean; kind: string; name: string}[] {
  return (container.volumeMounts ?? []).map((m: Raw) => {
    const volume = volumes.find((v) => v.name === m.name) ?? {};
    const files = volume.hostPath && volume.hostPath.path.includes('/k8s-files/');
    const kind = files ? 'files' : volume.hostPath ? `hostPath:${volume.hostPath.path}` : 'emptyDir';
    return {mountPath: m.mountPath, readOnly: m.readOnly === true, kind, name: m.name};
  });
}

describe('import then generate k8s gives back the containers, order, probes and volumes', () => {
  for (const c of IMPORT_CASES.filter((entry) => entry.kind === 'k8s')) {
    it(c.name, async () => {
      const out = path.join(dir, c.name, 'sidecar.yaml');
      const plan = planImport(c.file, out);
      await writeImport(plan, out, false);
      const manifest = await loadManifest(out, {env: {}, checkPaths: true});
      const generated = k8sDocuments(manifest, {kind: 'pod'}).documents.filter((d) => d.kind === 'Pod') as Raw[];
      const inputs = parseAllDocuments(readFileSync(c.file, 'utf8'), {version: '1.1'}).map((d) => d.toJS() as Raw).filter((d) => d && WORKLOADS.includes(d.kind));
      expect(generated.map((d) => d.metadata.name).sort()).toEqual(inputs.map((d) => d.metadata.name).sort());
      for (const input of inputs) {
        const spec = podSpec(input);
        const output = generated.find((d) => d.metadata.name === input.metadata.name)!.spec as Raw;
        const inInit: Raw[] = spec.initContainers ?? [];
        const outInit: Raw[] = output.initContainers ?? [];
        // Init jobs in order, then native sidecars in order, exactly.
        expect(outInit.filter((x) => !x.restartPolicy).map((x) => x.name)).toEqual(inInit.filter((x) => !x.restartPolicy).map((x) => x.name));
        const native = inInit.filter((x) => x.restartPolicy === 'Always').map((x) => x.name);
        expect(outInit.filter((x) => x.restartPolicy === 'Always').map((x) => x.name).slice(0, native.length)).toEqual(native);
        // The regular containers (the app first, then the sidecars `withApp` in their order), under their own names.
        const app = input.spec?.template?.metadata?.annotations?.['sidecar.dev/app'] ?? input.metadata.annotations?.['sidecar.dev/app'] ?? spec.containers[0].name;
        expect(output.containers.map((x: Raw) => x.name)).toEqual([app, ...spec.containers.map((x: Raw) => x.name).filter((n: string) => n !== app)]);
        expect(outInit.filter((x) => x.restartPolicy === 'Always').map((x) => x.name)).toEqual(native);
        for (const container of [...inInit, ...spec.containers] as Raw[]) {
          const back = [...outInit, ...output.containers].find((x: Raw) => x.name === container.name)!;
          expect(back.image, container.name).toBe(container.image);
          // Probes: the check that gates the start (startupProbe, else readinessProbe) comes back
          // as the startupProbe and the readinessProbe; the livenessProbe as itself, or not at all.
          const gate = handler(container.startupProbe, container) ?? handler(container.readinessProbe, container);
          expect(back.startupProbe ? handler(back.startupProbe, back) : undefined, `${container.name} gate`).toEqual(gate);
          expect(back.readinessProbe ? handler(back.readinessProbe, back) : undefined, `${container.name} readiness`).toEqual(gate);
          const live = handler(container.livenessProbe, container);
          expect(back.livenessProbe ? handler(back.livenessProbe, back) : undefined, `${container.name} liveness`).toEqual(live);
          if (live) {
            expect(back.livenessProbe.periodSeconds, `${container.name} period`).toBe(container.livenessProbe.periodSeconds ?? 10);
            expect(back.livenessProbe.failureThreshold, `${container.name} threshold`).toBe(container.livenessProbe.failureThreshold ?? 3);
            expect(back.livenessProbe.initialDelaySeconds ?? 0, `${container.name} delay`).toBe(container.livenessProbe.initialDelaySeconds ?? 0);
          }
          // Volumes: the same mount paths in order, read-only where they were, the same kind.
          const want = mounts(container, [...(spec.volumes ?? []), ...(input.spec.volumeClaimTemplates ?? []).map((t: Raw) => ({name: t.metadata.name, emptyDir: {}}))]);
          const got = outputMounts(back, output.volumes ?? []);
          expect(got.map(({name: _name, ...rest}) => rest), `${container.name} volumes`).toEqual(want.map(({name: _name, ...rest}) => rest));
          // One pod: emptyDir volumes keep their Kubernetes names.
          if (inputs.length === 1) expect(got.filter((m) => m.kind === 'emptyDir').map((m) => m.name)).toEqual(want.filter((m) => m.kind === 'emptyDir').map((m) => m.name));
        }
      }
    });
  }
});

describe('import of a compose file: generate k8s gives back its services, probes and volumes', () => {
  for (const c of IMPORT_CASES.filter((entry) => entry.kind === 'compose')) {
    it(c.name, async () => {
      // Beside the compose file, as its bind mounts and env files are relative to it.
      const plan = planImport(c.file, path.join(path.dirname(c.file), 'sidecar.yaml'));
      expect(plan.from).toBe('compose');
      // Its paths are relative to the compose file: validated there (a dot file, removed after).
      const beside = path.join(path.dirname(c.file), `.roundtrip-${path.basename(c.file)}`);
      writeFileSync(beside, plan.yaml);
      const manifest = await loadManifest(beside, {env: {}, checkPaths: true}).finally(() => rmSync(beside, {force: true}));
      const services = upServices(c.file);
      const containers = k8sDocuments(manifest, {kind: 'pod'}).documents.filter((d) => d.kind === 'Pod').flatMap((d) => [...((d as Raw).spec.initContainers ?? []), ...(d as Raw).spec.containers]) as Raw[];
      const infra = Object.entries(services).filter(([, s]) => /pause/.test(String(s.image ?? '')) && Object.values(services).some((o) => o.network_mode === `service:${Object.keys(services).find((k) => services[k] === s)}`)).map(([n]) => n);
      // Name-free: the app of each pod is called `app` in sidecar.yaml, and members lose a POD- prefix.
      const summary = (image: unknown, probe: unknown, volumes: string[]) => JSON.stringify({image, probe, volumes});
      const want = Object.keys(services).filter((n) => !infra.includes(n)).map((name) => {
        const service = services[name]!;
        const test = service.healthcheck?.test;
        const exec = test === undefined ? undefined : typeof test === 'string' ? ['sh', '-c', test] : test[0] === 'CMD-SHELL' ? ['sh', '-c', test[1]] : test.slice(1);
        // An anonymous volume (a bare container path) cannot carry over: a loss, not a mount.
        const targets = (service.volumes ?? []).flatMap((v: unknown) => (typeof v === 'string' ? (v.includes(':') ? [v.split(':')[1]!] : []) : [(v as Raw).target]));
        return summary(service.image ?? 'built', exec, targets);
      });
      // A built image gets sidecar's own name (and IfNotPresent, since nothing pushed it).
      const got = containers.map((x) => summary(x.imagePullPolicy === 'IfNotPresent' ? 'built' : x.image, x.startupProbe?.exec?.command, (x.volumeMounts ?? []).map((m: Raw) => m.mountPath)));
      expect(got.sort()).toEqual(want.sort());
    });
  }
});

// The services `docker compose up` runs from a file, read independently of the
// import for the fields compared: included files' services added, services of
// a profile left out, `extends` resolved for image, healthcheck test and mounts
// (a local mount replaces the base's at the same target).
function upServices(file: string): Record<string, Raw> {
  const data = parse(readFileSync(file, 'utf8')) as Raw;
  const own = (data.services ?? {}) as Record<string, Raw>;
  const included = ((data.include ?? []) as string[]).map((p) => ((parse(readFileSync(path.resolve(path.dirname(file), p), 'utf8')) as Raw).services ?? {}) as Record<string, Raw>);
  const all: Record<string, Raw> = Object.assign({}, ...included, own);
  const resolve = (service: Raw, from: string): Raw => {
    if (!service.extends) return service;
    const spec = typeof service.extends === 'string' ? {service: service.extends} : service.extends;
    const pool = spec.file ? ((parse(readFileSync(path.resolve(path.dirname(from), spec.file), 'utf8')) as Raw).services as Record<string, Raw>) : all;
    const base = resolve(pool[spec.service]!, spec.file ? path.resolve(path.dirname(from), spec.file) : from);
    const target = (v: unknown) => (typeof v === 'string' ? v.split(':')[1] : (v as Raw).target);
    const mounts = [...(base.volumes ?? [])];
    for (const v of service.volumes ?? []) {
      const at = mounts.findIndex((m) => target(m) === target(v));
      if (at === -1) mounts.push(v);
      else mounts[at] = v;
    }
    return {...base, ...service, healthcheck: {...base.healthcheck, ...service.healthcheck}, volumes: mounts};
  };
  return Object.fromEntries(Object.entries(all).filter(([, s]) => !s.profiles).map(([name, s]) => [name, resolve(s, file)]));
}

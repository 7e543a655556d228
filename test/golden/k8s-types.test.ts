import {parseAllDocuments} from 'yaml';
import {describe, expect, it} from 'vitest';
import {generateCase, MANIFESTS, VARIANTS} from './cases.js';
import {typeCheck} from './k8s-types.js';

type Loose = Record<string, any>;
const k8sVariants = VARIANTS.filter((v) => v.target === 'k8s');

// Parsed back from the YAML text: what kubectl would read, not our in-memory objects.
async function objectsOf(file: string, variant: (typeof VARIANTS)[number]): Promise<Loose[]> {
  const {yaml} = await generateCase(file, variant);
  return parseAllDocuments(yaml, {version: '1.1'}).map((doc) => doc.toJS() as Loose);
}

async function objectOf(file: string, variant: (typeof VARIANTS)[number]): Promise<Loose> {
  const objects = await objectsOf(file, variant);
  expect(objects).toHaveLength(1);
  return objects[0]!;
}

describe('Kubernetes output type-checks against the Kubernetes API types', () => {
  it('every manifest, every kind, native and plain sidecars', async () => {
    const objects: Record<string, Loose> = {};
    let workloads = 0;
    for (const manifest of MANIFESTS) {
      for (const variant of k8sVariants) {
        // Several pods: one workload per pod and a Service for each pod with ports.
        for (const object of await objectsOf(manifest.file, variant)) {
          objects[`${manifest.name}.${variant.name}.${object.kind}.${object.metadata.name}`] = object;
          if (object.kind !== 'Service') workloads++;
        }
      }
    }
    const problems = Object.entries(typeCheck(objects as Record<string, {kind: string}>)).filter(([, messages]) => messages.length > 0);
    expect(problems).toEqual([]);
    expect(workloads).toBeGreaterThanOrEqual(MANIFESTS.length * k8sVariants.length);
  }, 120_000);

  it('fails on a misspelt field at any depth (the check has teeth)', async () => {
    const quickstart = MANIFESTS.find((m) => m.name === 'example-quickstart')!;
    const pod = await objectOf(quickstart.file, k8sVariants[0]!);
    const deployment = await objectOf(quickstart.file, k8sVariants[1]!);
    const misspelt = structuredClone(pod);
    misspelt.spec.terminationGracePeriod = misspelt.spec.terminationGracePeriodSeconds;
    delete misspelt.spec.terminationGracePeriodSeconds;
    const deepProbe = structuredClone(pod);
    deepProbe.spec.initContainers[0].startupProbe.tcpSocket.prot = 18080;
    const wrongType = structuredClone(deployment);
    wrongType.spec.replicas = '1';
    const wrongKind = structuredClone(pod);
    wrongKind.apiVersion = 'v2';
    const service = {apiVersion: 'v1', kind: 'Service', metadata: {name: 'payments'}, spec: {selector: {a: 'b'}, ports: [{name: 'tcp-80', protocol: 'TCP', port: 80, targetPort: 80}]}};
    const badService = structuredClone(service) as Loose;
    badService.spec.ports[0].targetport = 80;
    const result = typeCheck({pod, misspelt, deepProbe, wrongType, wrongKind, service, badService} as unknown as Record<string, {kind: string}>);
    expect(result.service).toEqual([]);
    expect(result.badService!.join('\n')).toContain('targetport');
    expect(result.pod).toEqual([]);
    expect(result.misspelt!.join('\n')).toContain('terminationGracePeriod');
    expect(result.deepProbe!.join('\n')).toContain('prot');
    expect(result.wrongType!.join('\n')).toMatch(/string.*number/);
    expect(result.wrongKind!.join('\n')).toContain('"v2"');
  }, 120_000);
});

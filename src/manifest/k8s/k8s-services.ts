import type {Pod} from '../types.js';
import {namedPorts} from './k8s-container.js';
import type {ServiceDoc, Workload} from './k8s-objects.js';
import {portOf} from './k8s-probes.js';
import type {Raw} from './k8s-reader.js';

const USED = ['selector', 'ports', 'type'];
const HARMLESS = ['clusterIP', 'clusterIPs', 'sessionAffinity', 'ipFamilies', 'ipFamilyPolicy', 'internalTrafficPolicy', 'publishNotReadyAddresses'];

// DESIGN: the ports of a Service that selects a pod are published on 127.0.0.1
// (port -> targetPort), on the pod's app (the pod's infra container owns them).
export function publishServices(services: ServiceDoc[], workloads: Workload[], pods: Map<string, Pod>): void {
  const taken = new Map<string, string>();
  for (const doc of services) {
    const r = doc.reader;
    r.unused(undefined, doc.spec, ['spec'], USED, HARMLESS);
    const selector = r.map(doc.spec.selector, ['spec', 'selector']);
    if (!selector || Object.keys(selector).length === 0) {
      r.loss(undefined, ['spec'], 'a Service without a selector selects no pod here: its ports are not published');
      continue;
    }
    const selected = workloads.filter((w) => Object.entries(selector).every(([key, value]) => w.labels[key] === String(value)));
    if (selected.length === 0) {
      r.loss(undefined, ['spec', 'selector'], 'selects no pod of this file: its ports are not published');
      continue;
    }
    if (selected.length > 1) r.loss(undefined, ['spec', 'selector'], `selects ${selected.length} pods (${selected.map((w) => w.name).join(', ')}): a port on 127.0.0.1 goes to one, ${selected[0]!.name}`);
    const workload = selected[0]!;
    const pod = pods.get(workload.name);
    if (!pod) continue;
    const type = doc.spec.type;
    if (type === 'NodePort' || type === 'LoadBalancer') r.loss(undefined, ['spec', 'type'], `${type}: published on 127.0.0.1 at each port, not on node ports or a load balancer`);
    // A targetPort by name is a container port of the pod with that name.
    const named = new Map<string, number>();
    for (const key of ['initContainers', 'containers']) {
      r.list(workload.spec[key], []).forEach((container, i) => {
        for (const [name, port] of namedPorts(workload.reader, (container ?? {}) as Raw, [...workload.specPath, key, i])) named.set(name, port);
      });
    }
    r.list(doc.spec.ports, ['spec', 'ports']).forEach((item, i) => {
      const at = ['spec', 'ports', i];
      const spec = r.map(item, at) ?? {};
      const port = r.int(spec.port, [...at, 'port'], 1, 65535);
      const target = spec.targetPort === undefined ? port : portOf(r, spec.targetPort, [...at, 'targetPort'], named);
      const protocol = r.string(spec.protocol, [...at, 'protocol']) ?? 'TCP';
      if (protocol !== 'TCP' && protocol !== 'UDP') {
        r.loss(undefined, [...at, 'protocol'], `${protocol} is not published here (TCP and UDP are)`);
        return;
      }
      if (port === undefined || target === undefined) return;
      const key = `${port}/${protocol}`;
      const holder = taken.get(key);
      // Two Services on one port are valid Kubernetes (each has its own ClusterIP), and
      // what `generate k8s` writes for two pods listening on one port: the first keeps
      // 127.0.0.1:PORT, the other is a loss, not an error (found by a new user's trial:
      // sidecar refused its own generated file).
      if (holder) {
        r.loss(undefined, [...at, 'port'], `port ${port}/${protocol} is already published on 127.0.0.1 by ${holder}: not published again (the other pods still reach ${workload.name} by its name, at ${target})`);
        return;
      }
      taken.set(key, `Service ${doc.name}`);
      pod.app.ports.push({hostIp: '127.0.0.1', hostPort: port, containerPort: target, protocol: protocol === 'UDP' ? 'udp' : 'tcp'});
    });
  }
}

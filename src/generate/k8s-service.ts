import {servicesInStartOrder, type Pod} from '../manifest/types.js';
import type {Metadata} from './k8s-pod.js';

export interface K8sServicePort {
  name: string;
  protocol: 'TCP' | 'UDP';
  port: number;
  targetPort: number;
}
export interface K8sService {
  apiVersion: 'v1';
  kind: 'Service';
  metadata: Metadata;
  spec: {selector: Record<string, string>; ports: K8sServicePort[]};
}

// Every port the pod's containers declare or are probed on, once each, in start
// order: what other pods may call, since DESIGN promises NAME:PORT as under Docker.
export function podPorts(pod: Pod): K8sServicePort[] {
  const ports = new Map<string, K8sServicePort>();
  const add = (port: number, protocol: 'TCP' | 'UDP'): void => {
    const name = `${protocol.toLowerCase()}-${port}`;
    if (!ports.has(name)) ports.set(name, {name, protocol, port, targetPort: port});
  };
  for (const service of servicesInStartOrder(pod)) {
    for (const port of service.ports) add(port.containerPort, port.protocol === 'udp' ? 'UDP' : 'TCP');
    const check = service.health?.check;
    if (check?.kind === 'http' || check?.kind === 'tcp') add(check.port, 'TCP');
  }
  return [...ports.values()];
}

// DESIGN "Several pods" (k8s): a ClusterIP Service named after the pod, so the
// pod's name resolves in the cluster as its network alias does under Docker.
export function k8sService(name: string, labels: Record<string, string>, selector: Record<string, string>, ports: K8sServicePort[]): K8sService {
  return {apiVersion: 'v1', kind: 'Service', metadata: {name, labels}, spec: {selector, ports}};
}

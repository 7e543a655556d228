import {k8sProbesScenario} from '../cli/k8s-probes-scenario.js';
import {describeDocker} from './docker-engine.js';

describeDocker('Kubernetes probes and regular containers on Docker', () => k8sProbesScenario('docker'));

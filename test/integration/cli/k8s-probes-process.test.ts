import {describe} from 'vitest';
import {k8sProbesScenario} from './k8s-probes-scenario.js';

describe('Kubernetes probes and regular containers under the process runtime', () => k8sProbesScenario('process'));

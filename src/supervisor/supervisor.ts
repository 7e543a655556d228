// The stack-level supervisor under the name callers outside src/supervisor know
// (benches, docker and chaos tests); the levels live in stack.ts, pod.ts, unit.ts.
export {Stack as Supervisor, type StackOptions as SupervisorOptions, type UpdateResult} from './stack.js';

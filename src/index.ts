// The Node API (`import {up} from 'sidecar-pod'`): a stack for a test suite,
// with the CLI's semantics. docs/api.md shows it with vitest and node:test.
export {up, type UpOptions} from './api/up.js';
export {SidecarStack, type StackDownOptions, type StackLogsOptions} from './api/stack-handle.js';
export {SidecarError} from './errors/index.js';
export type {ExecResult, LogLine, RuntimeKind} from './runtime/types.js';
export type {ServiceStatus} from './supervisor/types.js';

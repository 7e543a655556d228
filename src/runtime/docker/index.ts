// The Docker runtime: the only folder that imports dockerode.
export {DockerRuntime, DEFAULT_INFRA_IMAGE, type DockerRuntimeOptions} from './docker-runtime.js';
export {probeEngine, connectEngine, engineHost, type EngineStatus} from './engine.js';
export type {ImageProgress, ImageProgressListener} from './images.js';
export {Label} from './naming.js';

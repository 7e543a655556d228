// The Docker runtime: the only folder that imports dockerode.
export {DockerRuntime, type DockerRuntimeOptions} from './docker-runtime.js';
export {DEFAULT_INFRA_IMAGE} from '../infra-image.js';
export {probeEngine, connectEngine, warmEngine, type EngineStatus} from './engine.js';
export type {ImageProgress, ImageProgressListener} from './images.js';
export {Label} from './naming.js';

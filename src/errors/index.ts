export {ExitCode, type ExitCodeValue} from './exit-codes.js';
export {ErrorCodes, type ErrorCode} from './codes.js';
export {SidecarError, isSidecarError, formatPlace, type Place, type Problem, type SidecarErrorOptions} from './sidecar-error.js';
export {fromOsError} from './os-error.js';
export {fromEngineError, describeRequest, type EngineRequest} from './engine-error.js';

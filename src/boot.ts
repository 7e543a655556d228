// What bin/run.js needs before it knows which CLI to load: `--version`, the
// supervisor started ahead for `up`, and the words of the commands run without
// oclif (and, for bin/supervisor.js, the cgroup warm-up). One CommonJS bundle of these (dist/bundle/boot.cjs, scripts/bundle.js)
// is read by one require, where the ESM graph of the plain build took Node's
// module loader ~10ms before the supervisor could be started (issue 13.1).
export {fastPath} from './fast-path.js';
export {prespawnSupervisor, prespawnTarget} from './host/prespawn.js';
export {leanCommand} from './lean-argv.js';
// bin/supervisor.js begins the cgroup warm-up with it before the supervisor's bundle loads (issue 13.1).
export {beginEarlyWarmUp} from './runtime/process/cgroup/warm-moves.js';

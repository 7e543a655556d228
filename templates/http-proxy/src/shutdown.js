// SIGTERM (what `sidecar down`, Docker and Kubernetes send) and SIGINT stop the
// work gracefully and exit 0 well within the supervisor's stopTimeout.
// A second signal exits at once, as a user pressing Ctrl-C twice expects.
export function onTerminate(stop, log) {
  let stopping = false;
  const handle = async (signal) => {
    if (stopping) process.exit(1);
    stopping = true;
    log('stopping', {signal});
    try {
      await stop();
      log('stopped');
      process.exit(0);
    } catch (error) {
      log('stop failed', {error: String(error)});
      process.exit(1);
    }
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
}

// Aborted once the reader of `stream` has gone (`sidecar logs -f | head -1`): a
// write failed with EPIPE. oclif swallows that error, so a command that writes on
// would run forever into nothing (found by a new user's trial: a CI step
// `sidecar logs -f app | grep -m1 ready` hung); long-running commands end on this
// signal instead, quietly and with 0, as `docker compose logs -f | head` does.
// Only a write finds out: a command that writes nothing more waits for its next line.
export function stdoutClosed(stream: NodeJS.WritableStream = process.stdout): AbortSignal {
  const controller = new AbortController();
  const onError = (error: NodeJS.ErrnoException): void => {
    if (error.code === 'EPIPE') controller.abort();
  };
  stream.on('error', onError);
  return controller.signal;
}

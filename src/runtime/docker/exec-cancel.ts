import type Docker from 'dockerode';

// What every process of a cancellable exec carries in its environment (inherited
// by what it starts), with a value of its own: how a cancel finds them. The engine
// cannot signal an exec (moby/moby#9098), and the pid it reports is in its own
// namespace, maybe on another machine: never ours to signal.
export const EXEC_MARKER_VAR = 'SIDECAR_EXEC_ID';

// Signals, from inside the container, the processes carrying this exec's marker;
// nothing else. The engine makes the exec's process a session and group leader:
// a marked leader's group is signalled whole, in one kill(2) (a shell signalled after
// its children could exit 0 meanwhile; only its session can join that group), any
// other marked process alone. One variable a line (busybox grep stops a line at a NUL).
// Needs sh, tr, grep and kill in the image (busybox has them); without them the
// cancel does nothing more than drop the connection, as `docker exec` killed does.
const SIGNAL_MARKED = [
  'sig=$1 mark=$2 g= p=',
  'for d in /proc/[0-9]*; do',
  '  tr "\\0" "\\n" < "$d/environ" 2>/dev/null | grep -qxF "$mark" || continue',
  '  n=${d#/proc/}; s=$(cat "$d/stat" 2>/dev/null) || continue; set -- ${s##*) }',
  '  if [ "$3" = "$n" ]; then g="$g -$n"; else p="$p $n"; fi',
  'done',
  '[ -z "$g$p" ] || kill -s "$sig" -- $g $p 2>/dev/null',
  'exit 0',
].join('\n');

export async function signalMarked(container: Docker.Container, marker: string, signal: NodeJS.Signals): Promise<void> {
  try {
    const exec = await container.exec({Cmd: ['sh', '-c', SIGNAL_MARKED, 'sh', signal.replace(/^SIG/, ''), `${EXEC_MARKER_VAR}=${marker}`], AttachStdout: true, AttachStderr: true});
    const stream = await exec.start({hijack: true, stdin: false});
    await new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', () => resolve());
      stream.resume();
    });
  } catch {
    // The container is gone, or cannot run sh: nothing more to do from here.
  }
}

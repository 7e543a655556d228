import type {LifecycleEvent} from '../supervisor/types.js';

// Foreground `up` says why a service stopped, among its log lines, as `docker compose up`
// says `proxy-1 exited with code 1` (found by a new user's trial: a crash loop and a
// `failed` sidecar were silent). One line per outcome, worded from what the event carries:
// a restart, a give-up (`failed`), an exit that is not restarted. The `exit`, `oom` and
// `health` events that come with them are not said again: the outcome names its cause.
// The stop of a teardown (Ctrl-C, `down`, the app completing) is not said either:
// it goes through `stopping`, and `stopping NAME` / `stopped NAME` already say it.
export function lifecycleNote(event: LifecycleEvent): string | undefined {
  if (event.type === 'restart' && event.detail) return restartNote(event.detail);
  if (event.type !== 'state') return undefined;
  if (event.to === 'failed') return `failed${event.detail ? `: ${event.detail}` : ''}`;
  // `exit code N` only on an exit the restart policy does not restart, while the stack is up.
  if (event.to === 'exited' && event.from !== 'stopping' && event.detail?.startsWith('exit code ')) return `exited with code ${event.detail.slice('exit code '.length)}`;
  return undefined;
}

// The supervisor's detail is `restart N in Dms (WHY)`; anything else is said as it is.
function restartNote(detail: string): string {
  const match = /^restart (\d+) in (\d+)ms \((.*)\)$/s.exec(detail);
  if (!match) return `restarting: ${detail}`;
  const [, count, delayMs, why] = match;
  return `${why}; restarting in ${formatDelay(Number(delayMs))} (restart ${count})`;
}

function formatDelay(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`;
}

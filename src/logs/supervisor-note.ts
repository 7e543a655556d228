import {writeSync} from 'node:fs';

// One line of the supervisor's own log (`.sidecar/supervisor.log` for a detached
// supervisor, the terminal for foreground `up`). Written straight to fd 2 and never
// throws: on a full disk a failed write through process.stderr destroys the stream
// (and, unhandled, the process); this way the line is lost and the next one is
// written once there is room again (issue 9 point 6).
export function supervisorNote(message: string): void {
  try {
    writeSync(2, `${new Date().toISOString()} supervisor[${process.pid}] ${message}\n`);
  } catch {
    // Nowhere left to say it.
  }
}

// "last log line" / "last 3 log lines", above the lines of a failed start.
export function lastLines(count: number): string {
  return count === 1 ? 'last log line' : `last ${count} log lines`;
}

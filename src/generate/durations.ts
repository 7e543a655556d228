// Go duration strings (Compose healthcheck and stop_grace_period): 250ms, 2s, 1m30s.
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = Math.round(ms);
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  if (hours) parts.push(`${hours}h`);
  if (minutes) parts.push(`${minutes}m`);
  if (seconds) parts.push(`${seconds}s`);
  if (millis) parts.push(`${millis}ms`);
  return parts.join('');
}

// Kubernetes counts probe and grace periods in whole seconds; round up so a
// timeout is never shorter than asked, with the API's minimum of 1 where it has one.
export function wholeSeconds(ms: number, minimum = 1): number {
  return Math.max(minimum, Math.ceil(ms / 1000));
}

// Exponential backoff between tries (base, 2x base, 4x base, ... capped), so a
// struggling upstream gets breathing room instead of a retry storm.
export function backoffDelay(retry, {backoffBaseMs, backoffMaxMs}) {
  return Math.min(backoffMaxMs, backoffBaseMs * 2 ** (retry - 1));
}

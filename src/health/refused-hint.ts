import type {ProbeEndpoint} from '../runtime/types.js';

// Issue 8.4: a refused probe gets the runtime's explanation, if it has one
// (" - app listens on 127.0.0.1:8080 only: ..."); '' otherwise. Never throws.
export async function refusedHint(endpoint: ProbeEndpoint, error: Error): Promise<string> {
  if ((error as NodeJS.ErrnoException).code !== 'ECONNREFUSED' || !endpoint.explainRefused) return '';
  const hint = await endpoint.explainRefused().catch(() => undefined);
  return hint ? ` - ${hint}` : '';
}

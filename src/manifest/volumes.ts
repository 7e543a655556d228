import path from 'node:path';
import os from 'node:os';
import type {VolumeMount} from './types.js';

// `logs:/var/log/app[:ro]` (named) or `./config:/etc/app:ro` (bind, relative to the manifest).
export function parseVolumeMount(spec: string, manifestDir: string): VolumeMount | string {
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3) return `"${spec}" is not SOURCE:TARGET[:ro]`;
  const [source, target, mode] = parts as [string, string, string | undefined];
  if (mode !== undefined && mode !== 'ro' && mode !== 'rw') return `mode "${mode}" in "${spec}" is not ro or rw`;
  if (!target.startsWith('/')) return `target "${target}" in "${spec}" must be an absolute path inside the container`;
  const readOnly = mode === 'ro';
  if (/^[./~]/.test(source)) {
    const expanded = source.startsWith('~') ? path.join(os.homedir(), source.slice(1)) : source;
    return {type: 'bind', source, hostPath: path.resolve(manifestDir, expanded), target, readOnly};
  }
  if (!/^[a-z0-9][a-z0-9_.-]*$/.test(source)) return `"${source}" is neither a volume name nor a path (start paths with ./ or /)`;
  return {type: 'volume', source, target, readOnly};
}

import {SidecarError} from '../errors/index.js';

// The manifest's service-name rule (a DNS label: Kubernetes container names use it too).
const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

// Names become directory names and manifest keys: anything that could climb
// out of the target (`/`, `..`, an absolute path) is refused before any rule.
export function checkName(name: string, what: string, flag = '--name'): string {
  if (name.includes('/') || name.includes('\\') || name.split(/[/\\]/).includes('..') || name.startsWith('.')) {
    throw new SidecarError('SIDECAR_SCAFFOLD_INVALID', `${what} "${name}" is not a plain name: it must not contain "/", ".." or be a path`, {
      suggestion: `give ${flag} a name of lowercase letters, digits and dashes, e.g. ${flag} ${suggestName(name) || 'my-sidecar'}`,
    });
  }
  if (!NAME.test(name)) {
    const hint = suggestName(name);
    throw new SidecarError('SIDECAR_SCAFFOLD_INVALID', `${what} "${name}" is invalid: use lowercase letters, digits and dashes, starting and ending with a letter or digit, at most 63 characters`, {
      suggestion: hint ? `try ${flag} ${hint}` : `pass ${flag} with a valid name`,
    });
  }
  return name;
}

// What a directory name becomes as a project or sidecar name (Compose lowercases and strips the same way).
export function suggestName(raw: string): string {
  const base = raw.split(/[/\\]/).filter((part) => part !== '' && part !== '.' && part !== '..').pop() ?? '';
  return base
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

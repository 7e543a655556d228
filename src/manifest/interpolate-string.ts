// Compose interpolation of one string: `$$`, `$VAR`, `${VAR}`, `${VAR:-d}`,
// `${VAR-d}`, `${VAR:?msg}`, `${VAR?msg}`, `${VAR:+r}`, `${VAR+r}`, nesting in
// the default. `${volumes.NAME}` and `${pods.NAME.host}` are left for the
// runtime (volume-refs.ts, pod-refs.ts).

export interface InterpolationIssue {
  // Index in the input string where the bad expression starts.
  index: number;
  message: string;
  suggestion: string;
}

export interface InterpolationResult {
  value: string;
  issues: InterpolationIssue[];
  unset: string[];
  // Every variable the expansion read, in order of first use (for messages that
  // name the variable behind a wrong value).
  used: string[];
}

type Lookup = (name: string) => string | undefined;

// Defaults nest (`${A:-${B:-x}}`); 3,000 levels overflowed the stack (issue 9.9).
// No real manifest nests more than a few; Compose has no limit, bash neither, but
// both fail on far less than a stack overflow here would cost.
export const MAX_NESTING = 32;

// `requiredUnset`: a `${VAR:?msg}` whose VAR is missing is an unset variable ("" and a
// warning) instead of an error: for commands that only need the stack's names
// (`down --volumes` and `ps` with nothing running), not the values of its secrets.
export interface InterpolateOptions {
  requiredUnset?: boolean;
}

export function interpolateString(input: string, lookup: Lookup, options: InterpolateOptions = {}): InterpolationResult {
  const issues: InterpolationIssue[] = [];
  const unset: string[] = [];
  const used = new Set<string>();
  const recording: Lookup = (name) => {
    used.add(name);
    return lookup(name);
  };
  const value = expand(input, 0, recording, issues, unset, 0, options);
  return {value, issues, unset, used: [...used]};
}

function expand(input: string, base: number, lookup: Lookup, issues: InterpolationIssue[], unset: string[], depth: number, options: InterpolateOptions = {}): string {
  if (depth > MAX_NESTING) {
    issues.push({index: base, message: `\${...} is nested more than ${MAX_NESTING} levels deep`, suggestion: 'nest fewer defaults: set the variable, or give a plain default such as ${VAR:-value}'});
    return '';
  }
  let out = '';
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (ch !== '$') {
      out += ch;
      i++;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const end = matchingBrace(input, i + 2);
      if (end === -1) {
        issues.push({index: base + i, message: `unclosed "\${" in "${input}"`, suggestion: 'close it with "}", or write "$$" for a literal "$"'});
        return out + input.slice(i);
      }
      const body = input.slice(i + 2, end);
      out += braced(body, input.slice(i, end + 1), base + i, lookup, issues, unset, depth, options);
      i = end + 1;
      continue;
    }
    const bare = /^[A-Za-z_][A-Za-z0-9_]*/.exec(input.slice(i + 1));
    if (bare) {
      const name = bare[0];
      const found = lookup(name);
      if (found === undefined) unset.push(name);
      out += found ?? '';
      i += 1 + name.length;
      continue;
    }
    out += '$';
    i++;
  }
  return out;
}

function matchingBrace(input: string, from: number): number {
  let depth = 1;
  for (let i = from; i < input.length; i++) {
    if (input[i] === '$' && input[i + 1] === '{') {
      depth++;
      i++;
    } else if (input[i] === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function braced(body: string, whole: string, index: number, lookup: Lookup, issues: InterpolationIssue[], unset: string[], depth: number, options: InterpolateOptions): string {
  if (/^volumes\.[a-z0-9][a-z0-9_.-]*$/.test(body) || /^pods\.[a-z0-9][a-z0-9-]*\.host$/.test(body)) return whole;
  const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(body);
  if (!match) {
    issues.push({
      index,
      message: `"${whole}" is not a valid substitution`,
      suggestion: 'use ${VAR}, ${VAR:-default}, ${VAR:?message}, ${volumes.NAME} or ${pods.NAME.host}; write "$$" for a literal "$"',
    });
    return whole;
  }
  const [, name, op, arg = ''] = match as unknown as [string, string, string | undefined, string | undefined];
  const found = lookup(name);
  const emptyCounts = op?.startsWith(':') ?? false;
  const missing = found === undefined || (emptyCounts && found === '');
  switch (op) {
    case undefined:
      if (found === undefined) unset.push(name);
      return found ?? '';
    case ':-':
    case '-':
      return missing ? expand(arg, index + 2 + name.length + op.length, lookup, issues, unset, depth + 1, options) : found!;
    case ':?':
    case '?':
      if (missing && options.requiredUnset) {
        unset.push(name);
        return '';
      }
      if (missing) {
        const why = arg === '' ? `${name} is required` : expand(arg, index, lookup, [], [], depth + 1);
        issues.push({index, message: `required variable ${name} is not set: ${why}`, suggestion: `set ${name} in the environment or in .env beside the manifest`});
        return '';
      }
      return found!;
    case ':+':
    case '+':
      return missing ? '' : expand(arg, index + 2 + name.length + op.length, lookup, issues, unset, depth + 1, options);
    default:
      return whole;
  }
}

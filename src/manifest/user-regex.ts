import nodeModule from 'node:module';
import type {RE2JS as RE2JSClass, RE2JSSyntaxException} from 're2js';

// A `log:` probe's pattern runs on RE2 (through re2js, pure JS): matching is linear
// in the line's length whatever the pattern, so `(a+)+$` against a long line cannot
// stall the supervisor as a backtracking engine does (issue 9 point 4). This is the
// choice Prometheus, Loki and Go's regexp made for user-supplied patterns.
export interface UserRegex {
  test(line: string): boolean;
}

export interface RegexProblem {
  message: string;
  suggestion: string;
}

// re2js is ~260 KB of code: loaded on the first pattern that needs it, not with every
// supervisor and `up` (most patterns are plain text, matched below without it; issue 13.1).
let re2js: typeof RE2JSClass | undefined;
function RE2(): typeof RE2JSClass {
  return (re2js ??= (nodeModule.createRequire(import.meta.url)('re2js') as {RE2JS: typeof RE2JSClass}).RE2JS);
}

const SYNTAX = 'log: patterns use RE2 syntax (https://github.com/google/re2/wiki/Syntax), which matches in linear time';

// What RE2 cannot do, found before compiling so that the error names it
// (RE2's own messages for these are "invalid escape sequence" and the like).
function unsupported(pattern: string): RegexProblem | undefined {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (!inClass && (/[1-9]/.test(next) || (next === 'k' && pattern[i + 2] === '<'))) {
        return {
          message: `"${pattern}" uses a backreference (\\${next === 'k' ? 'k<name>' : next}), which RE2 does not support`,
          suggestion: `${SYNTAX}: spell the repeated text out, e.g. (ab)ab instead of (ab)\\1`,
        };
      }
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
      if (pattern[i + 1] === ']') i++;
    } else if (c === '(' && pattern[i + 1] === '?') {
      const head = pattern.slice(i + 2, i + 4);
      if (head.startsWith('=') || head.startsWith('!') || head === '<=' || head === '<!') {
        return {
          message: `"${pattern}" uses a ${head.startsWith('<') ? 'lookbehind' : 'lookahead'} (${pattern.slice(i, i + 2 + (head.startsWith('<') ? 2 : 1))}...), which RE2 does not support`,
          suggestion: `${SYNTAX}: match the text itself, e.g. "ready" instead of "(?=.*ready)", or two words in order with "started.*ready"`,
        };
      }
    }
  }
  return undefined;
}

// A pattern with no regex syntax at all is its own text: RE2 finds it where
// String.includes does, so it is matched so, without building an automaton (the
// first compile costs ~9 ms, in `up`'s CLI and again in the supervisor; issue 13.1).
const LITERAL = /^[^\\^$.|?*+()[\]{}]*$/;

// Why the pattern cannot be a `log:` probe, or undefined when it can (manifest validation, exit 3).
export function userRegexProblem(pattern: string): RegexProblem | undefined {
  if (LITERAL.test(pattern)) return undefined;
  const problem = unsupported(pattern);
  if (problem) return problem;
  try {
    RE2().compile(RE2().translateRegExp(pattern));
    return undefined;
  } catch (error) {
    const repeat = repeatProblem(pattern, error);
    if (repeat) return repeat;
    const detail = (error as Error).message.replace(/^error parsing regexp: /, '');
    return {message: `"${pattern}" is not a regular expression: ${detail}`, suggestion: `${SYNTAX}; escape special characters such as ( [ + with a backslash`};
  }
}

const REPEAT_FIX = '+ or * where an exact count is not needed';

// RE2 says "invalid repeat count: `{n}`" for three causes, and the fix differs: a
// count over 1000, min above max, or repeats nested so their counts multiply past
// 1000 (its limit on the automaton's size); which one is read from the {..} it names.
function repeatProblem(pattern: string, error: unknown): RegexProblem | undefined {
  const {error: code, input} = error as Partial<RE2JSSyntaxException>;
  const counts = code === 'invalid repeat count' ? /^\{(\d+)(?:,(\d*))?\}$/.exec(input ?? '') : null;
  if (!counts) return undefined;
  const min = Number(counts[1]);
  const max = counts[2] === undefined ? min : counts[2] === '' ? undefined : Number(counts[2]);
  if (min > 1000 || (max ?? 0) > 1000) {
    return {message: `"${pattern}" has a repeat count over 1000 (RE2's limit), at ${input}`, suggestion: `${SYNTAX}: use ${REPEAT_FIX}, or a count of at most 1000`};
  }
  if (max !== undefined && min > max) {
    return {message: `"${pattern}" has a repeat ${input} whose least count is above its greatest`, suggestion: `${SYNTAX}: put the smaller count first, e.g. {${max},${min}}`};
  }
  return {
    message: `"${pattern}" has repeats nested in it that multiply to more than 1000 (RE2's limit), at ${input}`,
    suggestion: `${SYNTAX}: use fewer or smaller nested repeats, or ${REPEAT_FIX}`,
  };
}

// Compiles a pattern that passed userRegexProblem; JavaScript spellings RE2 lacks
// (\u0041, [^]) are translated, so existing manifests keep matching what they did.
export function compileUserRegex(pattern: string): UserRegex {
  if (LITERAL.test(pattern)) return {test: (line) => line.includes(pattern)};
  const compiled = RE2().compile(RE2().translateRegExp(pattern));
  return {test: (line) => compiled.test(line)};
}

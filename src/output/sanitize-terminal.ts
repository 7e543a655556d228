// Escape sequences a terminal acts on: CSI (`ESC [ ... final`), OSC/DCS/APC/PM/SOS
// strings (to BEL or ESC \), any other two-byte ESC sequence, then the C0 and C1
// controls themselves (tab and newline stay: they are layout, not commands).
const CSI = '\\u001b\\[[0-?]*[ -/]*[@-~]';
const STRING = '\\u001b[\\]PX^_][^\\u0007\\u001b]*(?:\\u0007|\\u001b\\\\)?';
const OTHER_ESC = '\\u001b[@-Z\\\\-_]?';
const CONTROL = '[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]';
const ANY = new RegExp(`${CSI}|${STRING}|${OTHER_ESC}|${CONTROL}`, 'g');
const isColor = (sequence: string): boolean => sequence.startsWith('\u001b[') && sequence.endsWith('m') && /^[0-9;:]*$/.test(sequence.slice(2, -1));

// Issue 9.1: what a supervisor (or anything it relays) sends must not drive the
// terminal that prints it (retitle, clear, rewrite lines, set the clipboard).
// Colours (SGR) may stay in service logs, as `less -R` lets them through.
export function sanitizeForTerminal(text: string, options: {keepColors?: boolean} = {}): string {
  return text.replace(ANY, (match) => (options.keepColors && isColor(match) ? match : ''));
}

// The same over every string of a plain JSON value (a `ps` answer, an event).
export function sanitizeDeep<T>(value: T): T {
  if (typeof value === 'string') return sanitizeForTerminal(value) as T;
  if (Array.isArray(value)) return value.map((item) => sanitizeDeep(item)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [sanitizeForTerminal(key), sanitizeDeep(item)])) as T;
  return value;
}

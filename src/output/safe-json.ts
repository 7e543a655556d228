// JSON for a terminal (issue 9.1): JSON.stringify escapes C0 controls (ESC is
// \u001b) but leaves C1 controls (U+0080-U+009F, where U+009B is a one-character
// CSI) and the line separators raw. Escaping them too keeps the data exactly
// (a JSON escape decodes to the same string) while nothing printed drives the terminal.
export function safeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

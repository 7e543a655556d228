import {readdirSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';

// Found by a new user's trial: `exec proxy -- sh -c "echo $PORT"`, pasted from the
// help, printed an empty line: the user's own shell expands $VAR inside double
// quotes, before the service's shell sees it. An example that means the service's
// variable keeps it in single quotes (`"$(...)"`, run by the user's shell, is fine).
const commands = new URL('../../src/commands/', import.meta.url);

describe('the commands\' examples paste as they mean', () => {
  it('no $VAR inside double quotes', async () => {
    const found: string[] = [];
    for (const file of readdirSync(fileURLToPath(commands)).filter((name) => name.endsWith('.ts') && !name.includes('base-command'))) {
      const command = ((await import(new URL(file, commands).href)) as {default?: {examples?: unknown}}).default;
      const examples = Array.isArray(command?.examples) ? (command.examples as unknown[]).map(String) : [];
      for (const example of examples) for (const match of example.matchAll(/"[^"]*\$[A-Za-z_{][^"]*"/g)) found.push(`${file}: ${match[0]}`);
    }
    expect(found).toEqual([]);
  });
});

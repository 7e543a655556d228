import {describe, expect, it} from 'vitest';
import {LogProbe, MAX_MATCHED_CHARS} from '../../../src/health/log-probe.js';
import {LineSplitter} from '../../../src/runtime/line-splitter.js';

// Feeds a byte stream through the runtime's own splitter into the probe.
function probeFor(pattern: string) {
  let listener: (line: string) => void = () => {};
  const probe = new LogProbe({kind: 'log', pattern}, (onLine) => {
    listener = onLine;
    return () => (listener = () => {});
  });
  const splitter = new LineSplitter((line) => listener(line));
  const passes = () => probe.check().then(() => true, () => false);
  return {probe, print: (text: string) => splitter.push(Buffer.from(text)), passes};
}

describe('LogProbe matches what the service printed (issue 9 point 4)', () => {
  it('a line cut into pieces is matched whole, not piece by piece', async () => {
    const {print, passes} = probeFor('^a+!$');
    print(`${'a'.repeat(200_000)}!\n`);
    expect(await passes()).toBe(true);
  });

  it('never sees the [line continues] marker: (a+)+$ does not match 100k a\'s then "!"', async () => {
    const {print, passes} = probeFor('(a+)+$');
    print(`${'a'.repeat(100_000)}!\n`);
    expect(await passes()).toBe(false);
    const marker = probeFor('continues');
    marker.print(`${'a'.repeat(100_000)}\n`);
    expect(await marker.passes()).toBe(false);
  });

  it('waits for the end of a cut line before matching it', async () => {
    const {print, passes} = probeFor('a+ready$');
    print('a'.repeat(70_000));
    expect(await passes()).toBe(false);
    print('ready\n');
    expect(await passes()).toBe(true);
  });

  it('matches the first MAX_MATCHED_CHARS of a longer line, and the lines after it', async () => {
    const head = probeFor('^start');
    head.print(`start${'x'.repeat(MAX_MATCHED_CHARS * 2)}\n`);
    expect(await head.passes()).toBe(true);
    const after = probeFor('^ready$');
    after.print(`${'x'.repeat(MAX_MATCHED_CHARS * 2)}\nready\n`);
    expect(await after.passes()).toBe(true);
  });

  it('stops listening once disposed', async () => {
    const {probe, print, passes} = probeFor('ready');
    probe.dispose();
    print('ready\n');
    expect(await passes()).toBe(false);
  });
});

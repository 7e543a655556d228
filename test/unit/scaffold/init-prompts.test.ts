import {PassThrough} from 'node:stream';
import {describe, expect, it} from 'vitest';
import {askInitChoices, parseChoice} from '../../../src/scaffold/init-prompts.js';
import type {Template} from '../../../src/scaffold/template-catalog.js';
import {NO_WIRING} from '../../../src/scaffold/template-wiring.js';

const templates: Template[] = ['http-proxy', 'log-shipper', 'metrics-exporter'].map((name) => ({name, kind: 'sidecar', description: name, dir: `/t/${name}`, wiring: NO_WIRING}));

describe('parseChoice', () => {
  it.each([
    ['', []],
    ['none', []],
    ['1,3', ['http-proxy', 'metrics-exporter']],
    ['log-shipper, 1 1', ['log-shipper', 'http-proxy']],
  ])('%j', (answer, expected) => {
    expect(parseChoice(answer, templates)).toEqual(expected);
  });

  it.each(['4', 'nope'])('refuses %j', (answer) => {
    expect(() => parseChoice(answer, templates)).toThrow(expect.objectContaining({code: 'SIDECAR_SCAFFOLD_INVALID'}));
  });
});

describe('askInitChoices', () => {
  const run = async (lines: string[], options: {fixedName?: string; preselected?: string[]} = {}) => {
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = '';
    output.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const answers = askInitChoices({input, output}, {defaultName: 'shop', templates, preselected: options.preselected ?? [], ...(options.fixedName ? {fixedName: options.fixedName} : {})});
    for (const line of lines) input.write(`${line}\n`);
    return {answers: await answers, printed: () => printed};
  };

  it('takes the defaults on empty answers', async () => {
    expect((await run(['', ''])).answers).toEqual({name: 'shop', sidecars: []});
  });

  it('asks again after an invalid name or choice', async () => {
    const {answers, printed} = await run(['Bad_Name', 'good', '9', '2']);
    expect(answers).toEqual({name: 'good', sidecars: ['log-shipper']});
    expect(printed()).toMatch(/Bad_Name[\s\S]*"9" is not one of the listed sidecars/);
  });

  it('skips the name question when the name is given and preselects the template', async () => {
    expect((await run([''], {fixedName: 'given', preselected: ['http-proxy']})).answers).toEqual({name: 'given', sidecars: ['http-proxy']});
  });

  it('fails with a usage error when input ends', async () => {
    const input = new PassThrough();
    const answers = askInitChoices({input, output: new PassThrough()}, {defaultName: 'shop', templates, preselected: []});
    input.end();
    await expect(answers).rejects.toMatchObject({code: 'SIDECAR_USAGE'});
  });
});

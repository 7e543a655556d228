import {createInterface} from 'node:readline';
import {SidecarError} from '../errors/index.js';
import {checkName} from './scaffold-name.js';
import type {Template} from './template-catalog.js';

export interface PromptStreams {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
}

export interface InitAnswers {
  name: string;
  sidecars: string[];
}

// Interactive `init`: the project name (directory name by default) and which
// sidecar templates to include; an invalid answer is asked again.
export async function askInitChoices(streams: PromptStreams, options: {defaultName: string; fixedName?: string; templates: Template[]; preselected: string[]}): Promise<InitAnswers> {
  const rl = createInterface({input: streams.input, terminal: false});
  // Lines are read through the iterator, which buffers them: typed-ahead or
  // piped answers are not lost between two questions.
  const lines = rl[Symbol.asyncIterator]();
  const ask = async (question: string): Promise<string> => {
    streams.output.write(question);
    const next = await lines.next();
    if (next.done) throw new SidecarError('SIDECAR_USAGE', 'init was cancelled: input ended', {suggestion: 'pass --name and --template to run without questions'});
    return next.value;
  };
  try {
    const name = options.fixedName ?? await askUntilValid(ask, `Project name (${options.defaultName}): `, (answer) => checkName(answer.trim() || options.defaultName, 'project name'), streams.output);
    const list = options.templates.map((template, index) => `  ${index + 1}. ${template.name.padEnd(18)} ${template.description}`).join('\n');
    streams.output.write(`Sidecars to include:\n${list}\n`);
    const preset = options.preselected.length > 0 ? options.preselected.join(',') : 'none';
    const sidecars = await askUntilValid(ask, `Numbers or names, comma-separated (${preset}): `, (answer) => parseChoice(answer.trim() === '' ? options.preselected.join(',') : answer, options.templates), streams.output);
    return {name, sidecars};
  } finally {
    rl.close();
  }
}

// "1,3", "http-proxy, log-shipper", "none" or "" -> template names.
export function parseChoice(answer: string, templates: Template[]): string[] {
  const picked: string[] = [];
  for (const raw of answer.split(/[\s,]+/).filter((part) => part !== '' && part !== 'none')) {
    const byNumber = /^\d+$/.test(raw) ? templates[Number(raw) - 1] : undefined;
    const template = byNumber ?? templates.find((candidate) => candidate.name === raw);
    if (!template) throw new SidecarError('SIDECAR_SCAFFOLD_INVALID', `"${raw}" is not one of the listed sidecars`, {suggestion: `answer with numbers 1-${templates.length} or names`});
    if (!picked.includes(template.name)) picked.push(template.name);
  }
  return picked;
}

async function askUntilValid<T>(ask: (question: string) => Promise<string>, question: string, check: (answer: string) => T, output: NodeJS.WritableStream): Promise<T> {
  for (;;) {
    const answer = await ask(question);
    try {
      return check(answer);
    } catch (error) {
      if (!(error instanceof SidecarError) || error.code === 'SIDECAR_USAGE') throw error;
      output.write(`  ${error.message}${error.suggestion ? ` (${error.suggestion})` : ''}\n`);
    }
  }
}

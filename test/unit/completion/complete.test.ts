import {describe, expect, it} from 'vitest';
import {complete, type CommandSpec, type CompletionSources} from '../../../src/completion/complete.js';

const file = {char: 'f', takesValue: true};
const commands: Record<string, CommandSpec> = {
  up: {flags: {file, runtime: {takesValue: true, options: ['auto', 'docker', 'process']}, detach: {char: 'd', takesValue: false}}, args: [{kind: 'service'}], variadic: true},
  exec: {flags: {file}, args: [{kind: 'service'}], variadic: false},
  generate: {flags: {file, kind: {takesValue: true, options: ['pod', 'deployment', 'job']}}, args: [{kind: 'choice', options: ['compose', 'k8s']}], variadic: false},
  new: {flags: {name: {takesValue: true}}, args: [{kind: 'template'}, {kind: 'path'}], variadic: false},
  init: {flags: {template: {char: 't', takesValue: true}}, args: [{kind: 'path'}], variadic: false},
  help: {flags: {}, args: [{kind: 'command'}], variadic: false},
  secret: {hidden: true, flags: {}, args: [], variadic: false},
};
const asked: (string | undefined)[] = [];
const sources: CompletionSources = {
  commands,
  services: async (manifest) => {
    asked.push(manifest);
    return manifest === 'other.yaml' ? ['web'] : ['orders', 'payments', 'orders/app', 'orders/egress', 'payments/app'];
  },
  templates: () => ['http-proxy', 'log-shipper'],
  manifests: () => ['sidecar.yaml', 'other.yaml'],
};

describe('shell completion (issue 14.3)', () => {
  it.each([
    [[''], ['exec', 'generate', 'help', 'init', 'new', 'up']],
    [['u'], ['up']],
    [['-'], ['--help', '--version']],
    [['up', ''], ['orders', 'orders/app', 'orders/egress', 'payments', 'payments/app']],
    [['up', 'orders/'], ['orders/app', 'orders/egress']],
    [['up', 'orders', 'pay'], ['payments', 'payments/app']],
    [['up', '--'], ['--detach', '--file', '--help', '--runtime']],
    [['up', '--runtime', ''], ['auto', 'docker', 'process']],
    [['up', '--runtime', 'd'], ['docker']],
    [['up', '-f', ''], ['other.yaml', 'sidecar.yaml']],
    [['up', '-d', 'o'], ['orders', 'orders/app', 'orders/egress']],
    [['exec', 'orders/app', ''], []],
    [['exec', 'orders/app', '--', ''], []],
    [['generate', ''], ['compose', 'k8s']],
    [['generate', 'k8s', '--kind', 'd'], ['deployment']],
    [['new', ''], ['http-proxy', 'log-shipper']],
    [['new', 'http-proxy', ''], []],
    [['init', '-t', 'l'], ['log-shipper']],
    [['help', 'g'], ['generate']],
    [['nosuch', ''], []],
  ])('%j -> %j', async (words, expected) => {
    expect(await complete(words, sources)).toEqual(expected);
  });

  it('reads services from the manifest -f names, and only when a service is wanted', async () => {
    asked.length = 0;
    expect(await complete(['up', '-f', 'other.yaml', ''], sources)).toEqual(['web']);
    expect(await complete(['up', '--file=other.yaml', 'w'], sources)).toEqual(['web']);
    expect(await complete(['generate', ''], sources)).toEqual(['compose', 'k8s']);
    expect(asked).toEqual(['other.yaml', 'other.yaml']);
  });

  it('never offers hidden commands', async () => {
    expect(await complete(['s'], sources)).toEqual([]);
  });
});

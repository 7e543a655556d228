import {chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {renderTemplate} from '../../../src/scaffold/render-template.js';
import {findTemplate, listTemplates} from '../../../src/scaffold/template-catalog.js';

describe('renderTemplate and the catalog', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'scaffold-templates-'));
    const t = path.join(root, 'demo');
    mkdirSync(path.join(t, 'src'), {recursive: true});
    mkdirSync(path.join(t, 'node_modules/x'), {recursive: true});
    writeFileSync(path.join(t, 'template.json'), JSON.stringify({name: 'demo', kind: 'sidecar', description: 'a demo'}));
    writeFileSync(path.join(t, 'package.json'), '{"name": "__NAME__"}');
    writeFileSync(path.join(t, 'gitignore'), 'node_modules/\n');
    writeFileSync(path.join(t, 'src/run.sh'), '#!/bin/sh\necho __NAME__ __NAME__\n');
    chmodSync(path.join(t, 'src/run.sh'), 0o755);
    writeFileSync(path.join(t, 'src/blob.bin'), Buffer.from([0, 95, 95, 78, 65, 77, 69, 95, 95]));
    writeFileSync(path.join(t, 'node_modules/x/index.js'), '');
    symlinkSync('/etc/passwd', path.join(t, 'src/link'));
    mkdirSync(path.join(root, 'proj'));
    writeFileSync(path.join(root, 'proj/template.json'), JSON.stringify({kind: 'project', description: 'p'}));
    mkdirSync(path.join(root, 'broken'));
  });
  afterEach(() => rmSync(root, {recursive: true, force: true}));

  it('substitutes __NAME__ in text, renames gitignore, keeps modes, skips metadata, node_modules and symlinks', () => {
    const files = renderTemplate(path.join(root, 'demo'), {name: 'edge'});
    expect(files.map((file) => file.path)).toEqual(['.gitignore', 'package.json', 'src/blob.bin', 'src/run.sh']);
    const byPath = Object.fromEntries(files.map((file) => [file.path, file]));
    expect(byPath['package.json']!.content.toString()).toBe('{"name": "edge"}');
    expect(byPath['src/run.sh']!.content.toString()).toBe('#!/bin/sh\necho edge edge\n');
    expect(byPath['src/run.sh']!.mode).toBe(0o755);
    expect(byPath['src/blob.bin']!.content).toEqual(Buffer.from([0, 95, 95, 78, 65, 77, 69, 95, 95]));
  });

  it('lists templates with template.json, projects first', () => {
    expect(listTemplates(root).map(({name, kind}) => `${name}:${kind}`)).toEqual(['proj:project', 'demo:sidecar']);
  });

  it('names the available templates and a near miss for an unknown one', () => {
    expect(() => findTemplate('demx', {root})).toThrow(expect.objectContaining({code: 'SIDECAR_SCAFFOLD_INVALID', message: expect.stringContaining('did you mean "demo"'), suggestion: expect.stringContaining('proj, demo')}));
    expect(() => findTemplate('proj', {root, kind: 'sidecar'})).toThrow(expect.objectContaining({message: expect.stringContaining('is a project template')}));
  });
});

import {readdirSync} from 'node:fs';
import path from 'node:path';
import {ROOT} from './cases.js';

// The import corpus: Kubernetes files under test/fixtures/import/k8s, compose files under .../compose.
const FIXTURES = path.join(ROOT, 'test/fixtures/import');
export const IMPORT_CASES = ['k8s', 'compose'].flatMap((kind) =>
  readdirSync(path.join(FIXTURES, kind))
    .filter((file) => (kind === 'k8s' ? file.endsWith('.yaml') : file.endsWith('.compose.yaml')))
    .sort()
    .map((file) => ({kind, name: file.replace(/(\.compose)?\.yaml$/, ''), file: path.join(FIXTURES, kind, file)})),
);

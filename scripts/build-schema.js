// Compiles the manifest JSON Schema into a standalone validator at build time,
// so `sidecar validate` does not pay for ajv's compiler at every start.
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';

const schema = JSON.parse(readFileSync(new URL('../schema/sidecar.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv({allErrors: true, strict: true, allowUnionTypes: true, code: {source: true}});
const validate = ajv.compile(schema);
const out = new URL('../dist/manifest/', import.meta.url);
mkdirSync(out, {recursive: true});
writeFileSync(new URL('schema-validator.cjs', out), standaloneCode(ajv, validate));

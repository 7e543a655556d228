import {readFileSync} from 'node:fs';
import path from 'node:path';
import {Ajv2019} from 'ajv/dist/2019.js';
import {parse} from 'yaml';
import {describe, expect, it} from 'vitest';
import {generateCase, MANIFESTS, ROOT, VARIANTS} from './cases.js';

// The Compose Specification schema (see test/fixtures/schemas/README.md). It
// names formats of its own; check them as Compose reads them rather than ignore them.
function composeValidator() {
  const schema = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/schemas/compose-spec.json'), 'utf8')) as Record<string, unknown>;
  // It declares draft 2019-09 by its old http:// URI, which ajv knows as https://,
  // and carries draft-04 style `id` annotations that ajv refuses: drop those.
  schema.$schema = 'https://json-schema.org/draft/2019-09/schema';
  dropLegacyIds(schema);
  const ajv = new Ajv2019({strict: false, allErrors: true});
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat('ports', /^(?:(?:\[[0-9a-fA-F:.]+\]|[0-9.]+):)?(?:\d+(?:-\d+)?:)?\d+(?:-\d+)?(?:\/(?:tcp|udp))?$/);
  ajv.addFormat('expose', /^\d+(?:-\d+)?(?:\/(?:tcp|udp))?$/);
  ajv.addFormat('subnet_ip_address', /./);
  return ajv.compile(schema);
}

function dropLegacyIds(node: unknown, parentKey = ''): void {
  if (Array.isArray(node)) node.forEach((item) => dropLegacyIds(item));
  else if (node !== null && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    // Under `properties` an `id` key would be a field name, not an annotation.
    if (parentKey !== 'properties' && typeof record.id === 'string') delete record.id;
    for (const [key, value] of Object.entries(record)) dropLegacyIds(value, key);
  }
}

const validate = composeValidator();
const compose = VARIANTS.find((v) => v.name === 'compose')!;

describe('compose output is valid per the Compose Specification schema', () => {
  for (const manifest of MANIFESTS) {
    it(manifest.name, async () => {
      const {yaml} = await generateCase(manifest.file, compose);
      const ok = validate(parse(yaml, {version: '1.1'}));
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    });
  }

  it('rejects a misspelt field (the check has teeth)', async () => {
    const {yaml} = await generateCase(MANIFESTS[0]!.file, compose);
    const document = parse(yaml, {version: '1.1'}) as {services: Record<string, Record<string, unknown>>};
    const app = document.services.app!;
    app.network_mod = app.network_mode;
    delete app.network_mode;
    expect(validate(document)).toBe(false);
    expect(JSON.stringify(validate.errors)).toContain('network_mod');
  });

  it('rejects a bad depends_on condition and a bad duration', async () => {
    const {yaml} = await generateCase(MANIFESTS[0]!.file, compose);
    const document = parse(yaml, {version: '1.1'}) as {services: Record<string, {depends_on: Record<string, {condition: string}>; stop_grace_period: string}>};
    document.services.app!.depends_on.pod!.condition = 'service_ready';
    expect(validate(document)).toBe(false);
    document.services.app!.depends_on.pod!.condition = 'service_started';
    document.services.app!.stop_grace_period = '10 seconds';
    expect(validate(document)).toBe(false);
  });
});

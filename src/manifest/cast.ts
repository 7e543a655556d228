import {manifestSchema, type SchemaNode} from './schema.js';

// Stage 2b: a string at a field typed integer, number or boolean takes the field's
// type, as Compose casts interpolated values (compose-go's per-path conversions):
// `{port: "${APP_PORT}"}`, `retries: "${N:-3}"`, `external: "${EXT:-false}"`.
// A string that does not convert stays a string for the schema to report.
export function castToFieldTypes(data: unknown): void {
  const root = manifestSchema();
  walk(data, root, root);
}

function walk(value: unknown, schema: SchemaNode | undefined, root: SchemaNode): void {
  const node = deref(root, schema);
  if (!node || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      value[i] = castValue(item, deref(root, node.items));
      walk(value[i], node.items, root);
    });
    return;
  }
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    const child = childSchema(node, key);
    object[key] = castValue(object[key], deref(root, child));
    walk(object[key], child, root);
  }
}

function childSchema(node: SchemaNode, key: string): SchemaNode | undefined {
  if (node.properties && Object.hasOwn(node.properties, key)) return node.properties[key];
  for (const [pattern, schema] of Object.entries(node.patternProperties ?? {})) if (new RegExp(pattern).test(key)) return schema;
  return typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined;
}

function deref(root: SchemaNode, node: SchemaNode | undefined): SchemaNode | undefined {
  if (node?.$ref?.startsWith('#/definitions/')) return root.definitions?.[node.$ref.slice('#/definitions/'.length)];
  return node;
}

function castValue(value: unknown, schema: SchemaNode | undefined): unknown {
  if (typeof value !== 'string' || !schema) return value;
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.includes('string')) return value;
  const text = value.trim();
  if ((types.includes('integer') || typeof schema.const === 'number') && /^[+-]?\d+$/.test(text)) return Number(text);
  if (types.includes('number') && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number(text);
  if (types.includes('boolean')) {
    // YAML 1.1's words too, as Compose accepts them for booleans.
    if (/^(true|yes|on)$/i.test(text)) return true;
    if (/^(false|no|off)$/i.test(text)) return false;
  }
  return value;
}

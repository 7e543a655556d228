import {readFileSync} from 'node:fs';

// The JSON Schema that ships in the package (editors use the same file).
export interface SchemaNode {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  patternProperties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  $ref?: string;
  enum?: unknown[];
  const?: unknown;
  description?: string;
  definitions?: Record<string, SchemaNode>;
}

let cached: SchemaNode | undefined;

export function manifestSchema(): SchemaNode {
  cached ??= JSON.parse(readFileSync(new URL('../../schema/sidecar.schema.json', import.meta.url), 'utf8')) as SchemaNode;
  return cached;
}

export function schemaPath(): string {
  return new URL('../../schema/sidecar.schema.json', import.meta.url).pathname;
}

// The schema node that governs the value at an instance path.
export function schemaAt(path: readonly string[]): SchemaNode | undefined {
  const root = manifestSchema();
  let node: SchemaNode | undefined = root;
  for (const segment of path) {
    node = deref(root, node);
    if (!node) return undefined;
    if (node.properties && Object.hasOwn(node.properties, segment)) node = node.properties[segment];
    else if (/^\d+$/.test(segment) && node.items) node = node.items;
    else if (typeof node.additionalProperties === 'object') node = node.additionalProperties;
    else return undefined;
  }
  return deref(root, node);
}

function deref(root: SchemaNode, node: SchemaNode | undefined): SchemaNode | undefined {
  if (node?.$ref?.startsWith('#/definitions/')) return root.definitions?.[node.$ref.slice('#/definitions/'.length)];
  return node;
}

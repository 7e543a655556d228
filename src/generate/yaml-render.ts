import {stringify} from 'yaml';

// Same object, same bytes: key order is insertion order (the generators insert
// in a fixed order), no line folding, no timestamps. Rendered as YAML 1.1 so
// strings that 1.1 readers (PyYAML in docker-compose v1, go-yaml in kubectl)
// would take for booleans or sexagesimal numbers — `no`, `on`, `8080:30` — are quoted.
export function renderYaml(value: unknown): string {
  return stringify(value, {version: '1.1', lineWidth: 0, minContentWidth: 0, indentSeq: true, sortMapEntries: false, aliasDuplicateObjects: false});
}

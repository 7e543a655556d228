import type {Problem} from '../../errors/index.js';
import type {LossList} from '../loss.js';
import {pathToString, problemAt, type ManifestSource, type PathSegment} from '../source.js';

export type Raw = Record<string, unknown>;

// Reads one Kubernetes document's plain values with their paths: a wrong type
// is a problem at file:line:column with the Kubernetes path
// (`spec.initContainers[1].startupProbe`), and every problem is kept (never the first only).
export class K8sReader {
  constructor(
    readonly doc: ManifestSource,
    // `Pod/web`, `Deployment/api`: names the object in losses.
    readonly object: string,
    readonly problems: Problem[],
    readonly losses: LossList,
  ) {}

  error(path: readonly PathSegment[], message: string, suggestion: string, atKey = false): void {
    this.problems.push(problemAt(this.doc, path, message, suggestion, atKey));
  }

  // What cannot be carried over, once, with the object and the path it sits at.
  loss(service: string | undefined, path: readonly PathSegment[], message: string): void {
    this.losses.add(service, `${this.object} ${pathToString(path)}`, message);
  }

  map(value: unknown, path: readonly PathSegment[]): Raw | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'object' && !Array.isArray(value) && !ArrayBuffer.isView(value)) return value as Raw;
    this.error(path, `${last(path)} must be a mapping`, 'write key: value pairs under it');
    return undefined;
  }

  list(value: unknown, path: readonly PathSegment[]): unknown[] {
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return value;
    this.error(path, `${last(path)} must be a list`, 'write one `- item` per line under it');
    return [];
  }

  string(value: unknown, path: readonly PathSegment[]): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    this.error(path, `${last(path)} must be a string`, 'write a plain value');
    return undefined;
  }

  strings(value: unknown, path: readonly PathSegment[]): string[] | undefined {
    if (value === undefined || value === null) return undefined;
    const items = this.list(value, path);
    return items.map((item, i) => this.string(item, [...path, i]) ?? '');
  }

  // A whole number within [min, max] (seconds, ports, thresholds).
  int(value: unknown, path: readonly PathSegment[], min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
    this.error(path, `${last(path)} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`, 'write a number without quotes or units');
    return undefined;
  }

  // Keys this mapping does not use and that matter: each listed once as a loss.
  unused(service: string | undefined, raw: Raw, path: readonly PathSegment[], used: readonly string[], harmless: readonly string[] = []): void {
    for (const key of Object.keys(raw)) {
      if (used.includes(key) || harmless.includes(key)) continue;
      this.loss(service, [...path, key], 'not carried over: sidecar has no equivalent');
    }
  }
}

function last(path: readonly PathSegment[]): string {
  const tail = path[path.length - 1];
  return typeof tail === 'number' ? pathToString(path.slice(-2)) : String(tail ?? 'the document');
}

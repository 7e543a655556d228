import path from 'node:path';
import ts from 'typescript';
import {ROOT} from './cases.js';

const TYPES: Record<string, {module: string; type: string}> = {
  Pod: {module: 'kubernetes-types/core/v1', type: 'Pod'},
  Deployment: {module: 'kubernetes-types/apps/v1', type: 'Deployment'},
  Job: {module: 'kubernetes-types/batch/v1', type: 'Job'},
  Service: {module: 'kubernetes-types/core/v1', type: 'Service'},
};

// Type-checks Kubernetes objects against the API types of `kubernetes-types`
// (generated from the Kubernetes OpenAPI spec, 1.30): each object becomes a
// fresh object literal annotated with its kind's type, so TypeScript's excess
// property check rejects any field the API does not have, at every depth.
// One program for all objects; returns the diagnostics per object name.
export function typeCheck(objects: Record<string, {kind: string}>): Record<string, string[]> {
  const files = new Map<string, string>();
  for (const [name, object] of Object.entries(objects)) {
    const spec = TYPES[object.kind];
    if (!spec) throw new Error(`${name}: no type for kind ${object.kind}`);
    const file = path.join(ROOT, 'test/golden', `__k8s_${name.replace(/[^a-zA-Z0-9]/g, '_')}.ts`);
    files.set(file, `import type {${spec.type}} from '${spec.module}';\nexport const object: ${spec.type} = ${JSON.stringify(object, null, 2)};\n`);
  }
  const options: ts.CompilerOptions = {strict: true, noEmit: true, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, target: ts.ScriptTarget.ES2022, types: [], skipLibCheck: true};
  const host = ts.createCompilerHost(options);
  const {getSourceFile, fileExists, readFile} = host;
  host.fileExists = (file) => files.has(file) || fileExists.call(host, file);
  host.readFile = (file) => files.get(file) ?? readFile.call(host, file);
  host.getSourceFile = (file, language, ...rest) => {
    const text = files.get(file);
    return text === undefined ? getSourceFile.call(host, file, language, ...rest) : ts.createSourceFile(file, text, language);
  };
  const program = ts.createProgram([...files.keys()], options, host);
  const result: Record<string, string[]> = {};
  const names = Object.keys(objects);
  [...files.keys()].forEach((file, index) => {
    const diagnostics = [...program.getSyntacticDiagnostics(program.getSourceFile(file)), ...program.getSemanticDiagnostics(program.getSourceFile(file))];
    result[names[index]!] = diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  });
  return result;
}

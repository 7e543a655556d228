// Stands in for a supervisor that is SIGKILLed (pods-network.test.ts): prepares
// the stack from a manifest JSON file with the BUILT runtime, starts every unit,
// says "ready" and waits to be killed.
import {readFileSync} from 'node:fs';

const [runtimeModule, manifestFile] = process.argv.slice(2);
const {DockerRuntime} = await import(runtimeModule);
const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
const runtime = new DockerRuntime();
await runtime.prepare(manifest, {log: () => {}});
for (const pod of manifest.pods) for (const service of [...pod.sidecars, pod.app]) await runtime.start(service);
process.stdout.write('ready\n');
setInterval(() => {}, 60_000);

import {readFileSync} from 'node:fs';

// Answers `sidecar --version` without loading oclif, with oclif's exact text
// (`sidecar-pod/X.Y.Z linux-x64 node-vN`: the package name, as in `--help`),
// so start-up stays near bare node. `packageJson`: the package's own, which
// bin/run.js names (from the boot bundle, dist/bundle/, `..` is not the root).
export function fastPath(argv: string[], packageJson: string | URL = new URL('../package.json', import.meta.url)): boolean {
  if (argv.length !== 1 || (argv[0] !== '--version' && argv[0] !== '-v' && argv[0] !== 'version')) return false;
  const pjson = JSON.parse(readFileSync(packageJson, 'utf8')) as {name: string; version: string};
  process.stdout.write(`${pjson.name}/${pjson.version} ${process.platform}-${process.arch} node-${process.version}\n`);
  return true;
}

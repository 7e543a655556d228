import Module from 'node:module';

// Loading dockerode requires gRPC and protobuf (dockerode/lib/session.js, for
// BuildKit sessions: buildImage with version 2, which sidecar never asks for)
// and ssh2 (docker-modem/lib/ssh.js, for an ssh:// DOCKER_HOST): 320 of the
// 510 ms it took to load here, paid by every detached supervisor of a Docker
// stack (issue 13.2). Each of the two modules exports one function; until it is
// called, dockerode holds a stand-in that loads the real module on first call.
// Imported by engine.ts before dockerode; a dockerode that names these files
// differently is simply loaded whole, as before.
const LAZY = [/[\\/]dockerode[\\/]lib[\\/]session\.js$/, /[\\/]docker-modem[\\/]lib[\\/]ssh\.js$/];

type AnyFunction = (...args: unknown[]) => unknown;
interface Loader {
  _load(request: string, parent: unknown, isMain: boolean): unknown;
  _resolveFilename(request: string, parent: unknown, isMain: boolean): string;
}

const loader = Module as unknown as Loader;
const original = loader._load;
loader._load = function lazyExtras(request: string, parent: unknown, isMain: boolean): unknown {
  if ((request === './session' || request === './ssh') && parent !== undefined && LAZY.some((pattern) => pattern.test(loader._resolveFilename(request, parent, isMain)))) {
    let real: AnyFunction | undefined;
    return (...args: unknown[]) => {
      real ??= original.call(loader, request, parent, isMain) as AnyFunction;
      return real(...args);
    };
  }
  return original.call(loader, request, parent, isMain);
};

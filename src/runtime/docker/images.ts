import path from 'node:path';
import type Docker from 'dockerode';
import {SidecarError} from '../../errors/index.js';
import type {BuildSpec} from '../../manifest/types.js';
import {contextFiles} from './build-context.js';
import {BUILD_HASH_LABEL, buildHash} from './build-hash.js';
import {followProgress, type EngineProgressMessage} from './progress-stream.js';

// What the UI (listr2 task list, engineer C) shows while images are pulled or built.
export interface ImageProgress {
  // The service the image is for, or `pod` for the infra image.
  service: string;
  image: string;
  action: 'pull' | 'build';
  phase: 'start' | 'progress' | 'done' | 'failed';
  // One human line: `Downloading 12.3MB/40MB`, `Step 3/7 : RUN npm ci`.
  message?: string;
}

export type ImageProgressListener = (progress: ImageProgress) => void;

export interface ImageRequest {
  service: string;
  image: string;
  build?: BuildSpec;
}

// What an image runs when a container gives no command of its own.
export interface ImageCommand {
  entrypoint: string[];
  cmd: string[];
}

export function commandOfImage(info: {Config?: {Entrypoint?: string[] | string | null; Cmd?: string[] | string | null}}): ImageCommand {
  const list = (value: string[] | string | null | undefined): string[] => (Array.isArray(value) ? value : typeof value === 'string' ? [value] : []);
  return {entrypoint: list(info.Config?.Entrypoint), cmd: list(info.Config?.Cmd)};
}

// The image's id and command, or undefined when the engine does not have it.
async function imageLook(docker: Docker, image: string): Promise<{id: string; command: ImageCommand} | undefined> {
  try {
    const info = await docker.getImage(image).inspect();
    return {id: info.Id, command: commandOfImage(info)};
  } catch (error) {
    if ((error as {statusCode?: number}).statusCode === 404) return undefined;
    throw error;
  }
}

function progressLine(message: EngineProgressMessage): string | undefined {
  if (message.stream !== undefined) return message.stream.trim() || undefined;
  if (message.status === undefined) return undefined;
  return [message.id, message.status, message.progress].filter(Boolean).join(' ');
}

// The build hash an image of ours carries (undefined when missing or not built by us), and its id.
async function builtHash(docker: Docker, image: string): Promise<{hash?: string; id?: string; command?: ImageCommand}> {
  try {
    const info = await docker.getImage(image).inspect();
    return {hash: info.Config?.Labels?.[BUILD_HASH_LABEL], id: info.Id, command: commandOfImage(info)};
  } catch (error) {
    if ((error as {statusCode?: number}).statusCode === 404) return {};
    throw error;
  }
}

export interface EnsureOptions {
  forceBuild: boolean;
  onProgress?: ImageProgressListener;
  // The id of an image found current, so that creating containers from it needs no second look (issue 13.2).
  onCurrent?: (image: string, id: string, command?: ImageCommand) => void;
}

// Pull when missing. A service with `build` is built when its image is missing,
// was built from other content (context files, dockerfile, args: issue 8.5), or
// with forceBuild (`--build`). Failures carry the engine's message (exit 5).
// Returns the build hash the image now has, for services with `build`.
export async function ensureImage(docker: Docker, request: ImageRequest, options: EnsureOptions): Promise<string | undefined> {
  const {service, image, build} = request;
  const building = build !== undefined;
  const hash = build ? (build.hash ?? (await buildHash(build))) : undefined;
  if (build) {
    const found = options.forceBuild ? {} : await builtHash(docker, image);
    if (found.hash !== undefined && found.hash === hash) {
      if (found.id) options.onCurrent?.(image, found.id, found.command);
      return hash;
    }
  } else {
    const look = await imageLook(docker, image);
    if (look !== undefined) {
      options.onCurrent?.(image, look.id, look.command);
      return undefined;
    }
  }
  const action = building ? 'build' : 'pull';
  const report = (phase: ImageProgress['phase'], message?: string): void => options.onProgress?.({service, image, action, phase, message});
  report('start');
  try {
    const stream = building ? await startBuild(docker, image, build, hash!) : await docker.pull(image);
    await followProgress(stream, (message) => {
      const line = progressLine(message);
      if (line !== undefined) report('progress', line);
    });
    report('done');
    return hash;
  } catch (error) {
    const json = (error as {json?: {message?: string}}).json;
    const reason = (json?.message ?? (error instanceof Error ? error.message : String(error))).trim();
    report('failed', reason);
    // Issue 8.8: the infra image is the pod's, not the first sidecar's.
    if (service === 'pod') {
      throw new SidecarError('SIDECAR_STACK_FAILED', `pulling the pod's infra image ${image} failed: ${reason}`, {
        cause: error,
        service: null,
        suggestion: `point SIDECAR_INFRA_IMAGE at an image this engine has (\`docker images\`), or make ${image} pullable (\`docker pull ${image}\`)`,
      });
    }
    throw new SidecarError('SIDECAR_STACK_FAILED', `${building ? 'building' : 'pulling'} image ${image} for ${service} failed: ${reason}`, {
      cause: error,
      service,
      suggestion: building ? `fix the build (docker build ${path.relative(process.cwd(), build.context) || '.'})` : `check the image name, or build it locally and tag it ${image}`,
    });
  }
}

async function startBuild(docker: Docker, tag: string, build: BuildSpec, hash: string): Promise<NodeJS.ReadableStream> {
  const dockerfile = path.relative(build.context, path.resolve(build.context, build.dockerfile)).split(path.sep).join('/');
  const src = await contextFiles(build.context, dockerfile);
  // dockerode tars `src` from `context` (gzip) and applies .dockerignore once more.
  return docker.buildImage({context: build.context, src}, {t: tag, dockerfile, buildargs: build.args, labels: {[BUILD_HASH_LABEL]: hash}, rm: true, forcerm: true});
}

// Several images at once, bounded: pulls and builds are I/O bound but heavy on 2 cores.
// Returns the build hash of every image built from a context, by image name.
export async function ensureImages(docker: Docker, requests: ImageRequest[], options: EnsureOptions & {concurrency?: number}): Promise<Map<string, string>> {
  const unique = [...new Map(requests.map((request) => [request.image, request])).values()];
  const queue = [...unique];
  const hashes = new Map<string, string>();
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const hash = await ensureImage(docker, next, options);
      if (hash !== undefined) hashes.set(next.image, hash);
    }
  };
  await Promise.all(Array.from({length: Math.min(options.concurrency ?? 3, queue.length)}, worker));
  return hashes;
}

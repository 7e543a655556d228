import type Docker from 'dockerode';
import type {Manifest, Service} from '../../manifest/types.js';
import {buildHash} from './build-hash.js';
import {commandOfImage, ensureImage, type ImageCommand, type ImageProgressListener} from './images.js';
import {imageOf} from './naming.js';

// Which build of each image this runtime made (the context hash it carries) and
// the image ids containers are created from, so a changed context is rebuilt
// once, before the container that needs it (issue 8.5), and never again for a
// crash restart.
export class ImageCache {
  // One look per image for the stack (issue 13.2): a pending look is shared by
  // the containers created together.
  private readonly ids = new Map<string, string | Promise<string>>();
  // What each image runs with no command given (start-gate.ts puts the gate in front of it).
  private readonly commands = new Map<string, ImageCommand | Promise<ImageCommand>>();
  private readonly builtHashes = new Map<string, string>();

  constructor(private readonly onProgress?: ImageProgressListener) {}

  // What prepare() built or found: image -> context hash.
  record(hashes: Iterable<[string, string]>): void {
    for (const [image, hash] of hashes) this.built(image, hash);
  }

  private built(image: string, hash: string): void {
    if (this.builtHashes.get(image) !== hash) this.forget(image);
    this.builtHashes.set(image, hash);
  }

  // Its image must be rebuilt before the service's next container.
  stale(manifest: Manifest, service: Service): boolean {
    return service.build?.hash !== undefined && this.builtHashes.get(imageOf(manifest, service)) !== service.build.hash;
  }

  // A service recreated by a second `up` whose context changed since prepare()
  // (build.hash differs): rebuild its image first. Crash restarts keep the image.
  async rebuildIfChanged(docker: Docker, manifest: Manifest, service: Service): Promise<void> {
    if (!this.stale(manifest, service)) return;
    const image = imageOf(manifest, service);
    const hash = await ensureImage(docker, {service: service.id, image, build: service.build}, {forceBuild: false, onProgress: this.onProgress});
    this.forget(image);
    if (hash !== undefined) this.builtHashes.set(image, hash);
  }

  // Watch `rebuild`: the context hashed again now (a watched package.json changed
  // since `up`); built only when the image does not carry that hash yet.
  async rebuildNow(docker: Docker, manifest: Manifest, service: Service): Promise<void> {
    if (!service.build) return;
    const image = imageOf(manifest, service);
    const hash = await buildHash(service.build);
    await ensureImage(docker, {service: service.id, image, build: {...service.build, hash}}, {forceBuild: false, onProgress: this.onProgress});
    this.forget(image);
    // The image is current for the running manifest: the restart must not build it again.
    this.builtHashes.set(image, service.build.hash ?? hash);
  }

  // prepare() found the image current: its id is known.
  current(image: string, id: string, command?: ImageCommand): void {
    this.ids.set(image, id);
    if (command) this.commands.set(image, command);
  }

  private forget(image: string): void {
    this.ids.delete(image);
    this.commands.delete(image);
  }

  async idOf(docker: Docker, image: string): Promise<string> {
    const known = this.ids.get(image);
    if (known !== undefined) return known;
    return this.look(docker, image).then((info) => info.Id);
  }

  async commandOf(docker: Docker, image: string): Promise<ImageCommand> {
    const known = this.commands.get(image);
    if (known !== undefined) return known;
    return this.look(docker, image).then(commandOfImage);
  }

  // One inspect answers both (shared while pending).
  private look(docker: Docker, image: string): Promise<Docker.ImageInspectInfo> {
    const info = docker.getImage(image).inspect();
    const id = info.then((found) => found.Id);
    const command = info.then(commandOfImage);
    if (!this.ids.has(image)) this.ids.set(image, id);
    if (!this.commands.has(image)) this.commands.set(image, command);
    info.catch(() => {
      if (this.ids.get(image) === id) this.ids.delete(image);
      if (this.commands.get(image) === command) this.commands.delete(image);
    });
    id.catch(() => undefined);
    command.catch(() => undefined);
    return info;
  }
}

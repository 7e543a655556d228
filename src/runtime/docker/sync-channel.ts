import {PassThrough, type Duplex} from 'node:stream';
import type Docker from 'dockerode';

// How long the receiver may take to say it is there, and a batch to be unpacked.
const OPEN_TIMEOUT_MS = 10_000;
const PUT_TIMEOUT_MS = 30_000;
// A batch larger than this goes through the engine's archive endpoint as a stream
// (the channel needs its length first, so it holds the whole archive in memory).
const MAX_BATCH_BYTES = 8 * 1024 * 1024;

// What runs in the container, as a fixed text: no manifest string and no file name
// is in it (names travel inside the tar stream, as with the archive endpoint). For
// each batch it reads a line `T <bytes>`, unpacks exactly that many bytes of tar at
// `/` and answers `ok <tar's exit code>`. Anything else ends it.
const RECEIVER = 'command -v head >/dev/null && command -v tar >/dev/null || exit 127; echo ready; while read -r op n; do [ "$op" = T ] || exit 2; head -c "$n" | tar -x -C /; echo "ok $?"; done';

// Issue 11.7: watch `sync` through one exec kept open per container. The engine's
// archive endpoint (`putArchive`, what `docker cp` uses) starts a process per call
// (dockerd re-executes itself as `docker-untar`, chrooted into the container), 60-90
// ms on an idle machine for a one-byte file, as does every exec; a receiver started
// once makes a batch the cost of `head | tar` in the container, a few ms. It runs in
// the container as root, as the engine's extraction does, so ownership, modes and
// where symbolic links lead are the container's. An image without `sh`, `head` or
// `tar` (distroless, scratch) has no receiver: the archive endpoint serves it.
export class SyncChannel {
  private buffered = '';
  private readonly waiters: ((line: string | undefined) => void)[] = [];
  private readonly lines: string[] = [];
  private closed = false;
  private turn: Promise<unknown> = Promise.resolve();

  private constructor(private readonly stream: Duplex) {}

  // A receiver in the container, or undefined when the image cannot run one.
  static async open(docker: Docker, container: Docker.Container): Promise<SyncChannel | undefined> {
    let channel: SyncChannel | undefined;
    try {
      const exec = await container.exec({Cmd: ['sh', '-c', RECEIVER], AttachStdin: true, AttachStdout: true, AttachStderr: true, User: '0'});
      const stream = (await exec.start({hijack: true, stdin: true})) as Duplex;
      channel = new SyncChannel(stream);
      const stdout = new PassThrough();
      stdout.on('data', (chunk: Buffer) => channel!.received(chunk.toString('utf8')));
      // tar's complaints: the batch is then sent again through the archive endpoint, which says why.
      docker.modem.demuxStream(stream, stdout, new PassThrough().resume());
      const end = () => channel!.end();
      stream.on('end', end).on('close', end).on('error', end);
      if ((await channel.nextLine(OPEN_TIMEOUT_MS)) === 'ready') return channel;
    } catch {
      // No exec (the engine refuses it, the container stopped): the archive endpoint serves.
    }
    channel?.close();
    return undefined;
  }

  get usable(): boolean {
    return !this.closed;
  }

  // Unpacks the archive at `/` in the container; false when the channel could not
  // (then it is closed, and the caller sends the batch through the engine).
  put(archive: NodeJS.ReadableStream): Promise<boolean> {
    const result = this.turn.then(async () => {
      if (this.closed) return false;
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of archive as AsyncIterable<Buffer>) {
        chunks.push(chunk);
        size += chunk.length;
        if (size > MAX_BATCH_BYTES) return false;
      }
      this.stream.write(`T ${size}\n`);
      this.stream.write(Buffer.concat(chunks, size));
      if ((await this.nextLine(PUT_TIMEOUT_MS)) === 'ok 0') return true;
      this.close();
      return false;
    });
    this.turn = result.catch(() => undefined);
    return result.catch(() => {
      this.close();
      return false;
    });
  }

  close(): void {
    if (this.closed) return;
    this.end();
    this.stream.destroy();
  }

  private end(): void {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }

  private received(text: string): void {
    this.buffered += text;
    let newline: number;
    while ((newline = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, newline);
      this.buffered = this.buffered.slice(newline + 1);
      const waiter = this.waiters.shift();
      if (waiter) waiter(line);
      else this.lines.push(line);
    }
  }

  // The next line the receiver says; undefined once it ended or after timeoutMs (then it is closed).
  private nextLine(timeoutMs: number): Promise<string | undefined> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.close();
        resolve(undefined);
      }, timeoutMs);
      this.waiters.push((value) => {
        clearTimeout(timer);
        resolve(value);
      });
    });
  }
}

// One channel per container, opened in the background: a sync never waits for one
// to open (it goes through the engine meanwhile), and a dead one is opened again.
export class SyncChannels {
  // `none`: the image cannot run a receiver; not tried again for that container.
  private readonly byContainer = new Map<string, {service: string; channel?: SyncChannel; opening: boolean; none?: boolean}>();

  warm(docker: Docker, containerId: string, service: string): void {
    const known = this.byContainer.get(containerId);
    if (known?.opening || known?.none || known?.channel?.usable) return;
    const entry: {service: string; channel?: SyncChannel; opening: boolean; none?: boolean} = {service, opening: true};
    this.byContainer.set(containerId, entry);
    void SyncChannel.open(docker, docker.getContainer(containerId)).then((channel) => {
      entry.opening = false;
      if (channel) entry.channel = channel;
      else entry.none = true;
    });
  }

  // True when the batch was unpacked through the container's channel.
  async put(docker: Docker, containerId: string, service: string, archive: () => NodeJS.ReadableStream): Promise<boolean> {
    const channel = this.byContainer.get(containerId)?.channel;
    if (!channel?.usable) {
      this.warm(docker, containerId, service);
      return false;
    }
    return channel.put(archive());
  }

  // The same through the open channel of the service's running container (`live`:
  // the containers running now), without asking the engine which one that is: a
  // receiver answers only while its container runs. False when there is none.
  async putFor(service: string, live: (containerId: string) => boolean, archive: () => NodeJS.ReadableStream): Promise<boolean> {
    for (const [id, entry] of this.byContainer) {
      if (!live(id) && !entry.opening) {
        // Its container is gone: so is its receiver.
        entry.channel?.close();
        this.byContainer.delete(id);
      } else if (entry.service === service && entry.channel?.usable && live(id)) return entry.channel.put(archive());
    }
    return false;
  }

  forget(containerId: string): void {
    this.byContainer.get(containerId)?.channel?.close();
    this.byContainer.delete(containerId);
  }
}

import {lstatSync, readFileSync, readlinkSync} from 'node:fs';
import {Readable} from 'node:stream';

// One file to put in a container: where it is on the host, where it goes inside.
export interface TarSource {
  host: string;
  // Absolute path in the container.
  target: string;
}

const BLOCK = 512;

// The few bytes of a ustar archive the engine's extractor reads (POSIX.1-1988
// ustar, as `docker cp` sends). Written here rather than with tar-stream, which
// only comes with dockerode and is not a dependency of ours. Names longer than
// the 100-byte field go in a PAX extended header (POSIX.1-2001), as GNU tar does.
export function tarHeader(entry: {name: string; type: 'file' | 'symlink' | 'pax'; size: number; mode: number; mtime: number; linkname?: string}): Buffer {
  const header = Buffer.alloc(BLOCK);
  const octal = (value: number, width: number, offset: number): void => {
    header.write(`${value.toString(8).padStart(width - 1, '0')}\0`, offset, width, 'ascii');
  };
  header.write(entry.name, 0, 100, 'utf8');
  octal(entry.mode & 0o7777, 8, 100);
  octal(0, 8, 108);
  octal(0, 8, 116);
  octal(entry.size, 12, 124);
  octal(Math.floor(entry.mtime), 12, 136);
  header.write(entry.type === 'file' ? '0' : entry.type === 'symlink' ? '2' : 'x', 156, 1, 'ascii');
  if (entry.linkname !== undefined) header.write(entry.linkname, 157, 100, 'utf8');
  header.write('ustar\0', 257, 6, 'ascii');
  header.write('00', 263, 2, 'ascii');
  header.write('root', 265, 32, 'ascii');
  header.write('root', 297, 32, 'ascii');
  // The checksum is the byte sum with its own field read as spaces.
  header.fill(' ', 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += header[i]!;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return header;
}

// "LEN key=value\n", LEN counting itself.
function paxRecord(key: string, value: string): string {
  const base = Buffer.byteLength(` ${key}=${value}\n`);
  let length = base + 1;
  while (String(length).length + base !== length) length = String(length).length + base;
  return `${length} ${key}=${value}\n`;
}

const padding = (size: number): Buffer => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);

function headers(entry: {name: string; type: 'file' | 'symlink'; size: number; mode: number; mtime: number; linkname?: string}): Buffer[] {
  const records = [
    ...(Buffer.byteLength(entry.name) > 100 ? [paxRecord('path', entry.name)] : []),
    ...(entry.linkname !== undefined && Buffer.byteLength(entry.linkname) > 100 ? [paxRecord('linkpath', entry.linkname)] : []),
  ].join('');
  if (records === '') return [tarHeader(entry)];
  const body = Buffer.from(records, 'utf8');
  return [tarHeader({name: 'PaxHeader', type: 'pax', size: body.length, mode: 0o644, mtime: entry.mtime}), body, padding(body.length), tarHeader(entry)];
}

// One tar stream for a whole batch, names relative to `/` (the archive is put at
// `/`, so a target whose directories do not exist yet is created by the engine).
// A file gone by the time it is read is left out: its deletion is the next batch.
// Contents are read before the header is written, so the size always matches.
// Each file is read synchronously, one per chunk the stream pulls: a hop through
// libuv's thread pool per call made 100 small files cost 150-270 ms on a loaded
// machine, against a few ms this way; the event loop still runs between files.
export function tarOf(sources: TarSource[]): Readable {
  function* blocks(): Generator<Buffer> {
    for (const source of sources) {
      const name = source.target.replace(/^\/+/, '');
      try {
        const stat = lstatSync(source.host);
        const mtime = stat.mtimeMs / 1000;
        if (stat.isSymbolicLink()) {
          yield* headers({name, type: 'symlink', size: 0, mode: stat.mode, mtime, linkname: readlinkSync(source.host)});
        } else if (stat.isFile()) {
          const content = readFileSync(source.host);
          yield* headers({name, type: 'file', size: content.length, mode: stat.mode, mtime});
          yield content;
          yield padding(content.length);
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    yield Buffer.alloc(BLOCK * 2);
  }
  return Readable.from(blocks());
}

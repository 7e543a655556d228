import {Readable} from 'node:stream';
import {readNoFollow} from '../no-follow-read.js';
import type {NoFollowPath} from '../types.js';

// One file to put in a container: where it is on the host, where it goes inside,
// and how it is read (never by `host`: see no-follow-read.ts).
export interface TarSource {
  host: string;
  // Absolute path in the container.
  target: string;
  from: NoFollowPath;
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
// A file gone by the time it is read is left out: its deletion is the next batch;
// so is one reached through a link by then (a directory swapped for a link after
// the link guard's check): that swap is the next batch, which sends the link.
// Contents are read before the header is written, so the size always matches.
// Each file is read synchronously, one per chunk the stream pulls: a hop through
// libuv's thread pool per call made 100 small files cost 150-270 ms on a loaded
// machine, against a few ms this way; the event loop still runs between files.
export function tarOf(sources: TarSource[]): Readable {
  function* blocks(): Generator<Buffer> {
    for (const source of sources) {
      const name = source.target.replace(/^\/+/, '');
      const entry = readNoFollow(source.from);
      if (entry === undefined) continue;
      const mtime = entry.mtimeMs / 1000;
      if (entry.type === 'symlink') {
        yield* headers({name, type: 'symlink', size: 0, mode: entry.mode, mtime, linkname: entry.linkname});
      } else {
        yield* headers({name, type: 'file', size: entry.content.length, mode: entry.mode, mtime});
        yield entry.content;
        yield padding(entry.content.length);
      }
    }
    yield Buffer.alloc(BLOCK * 2);
  }
  return Readable.from(blocks());
}

import {PassThrough} from 'node:stream';
import type Docker from 'dockerode';
import type {LogLine} from '../../runtime/types.js';

// Split a byte stream into lines, as the process runtime does; a last line
// without a newline is still delivered when the stream ends.
function lines(stream: NodeJS.ReadableStream, emit: (line: string) => void): Promise<void> {
  return new Promise((resolve) => {
    let buffered = '';
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const part of parts) emit(part.endsWith('\r') ? part.slice(0, -1) : part);
    });
    const done = (): void => {
      if (buffered !== '') emit(buffered);
      buffered = '';
      resolve();
    };
    stream.on('end', done);
    stream.on('close', done);
  });
}

// Attach before start so no line is lost, demultiplex stdout/stderr
// (docker-modem demuxStream), and emit the same LogLine events as processes.
// Resolves once attached, with `ended`: settles when the container's output ended.
export async function attachLogs(docker: Docker, container: Docker.Container, service: string, emit: (line: LogLine) => void): Promise<{ended: Promise<void>}> {
  const stream = (await container.attach({stream: true, stdout: true, stderr: true, logs: false})) as NodeJS.ReadableStream;
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  docker.modem.demuxStream(stream, stdout, stderr);
  const ended = new Promise<void>((resolve) => {
    const finish = (): void => {
      stdout.end();
      stderr.end();
      resolve();
    };
    stream.on('end', finish);
    stream.on('close', finish);
    stream.on('error', finish);
  });
  const out = lines(stdout, (line) => emit({service, stream: 'stdout', line, time: Date.now()}));
  const err = lines(stderr, (line) => emit({service, stream: 'stderr', line, time: Date.now()}));
  return {ended: ended.then(() => Promise.all([out, err])).then(() => undefined)};
}

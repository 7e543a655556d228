import {PassThrough} from 'node:stream';
import type Docker from 'dockerode';
import {LineSplitter} from '../line-splitter.js';
import type {LogLine} from '../../runtime/types.js';

// Split a byte stream into lines with the process runtime's splitter: whole
// UTF-8 characters across chunks, lines over 64 KiB cut with a marker, a last
// line without a newline still delivered when the stream ends.
function lines(stream: NodeJS.ReadableStream, emit: (line: string) => void): Promise<void> {
  return new Promise((resolve) => {
    const splitter = new LineSplitter(emit);
    stream.on('data', (chunk: Buffer) => splitter.push(chunk));
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      splitter.end();
      resolve();
    };
    stream.on('end', finish);
    stream.on('close', finish);
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

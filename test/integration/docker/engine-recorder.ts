import http from 'node:http';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// One engine API call as a client asked it, seen by a proxy on its own unix
// socket: the order of `asked` and `answered` among all calls is what tests read
// (never their durations).
export interface RecordedCall {
  seq: number;
  method: string;
  // The path without its query.
  path: string;
  query: string;
  // Position in the recorder's order of events: when it was asked, when answered.
  asked: number;
  answered?: number;
}

// A pass-through proxy in front of the real engine that records every call
// (bench/docker-trace.js does the same with timestamps, for the trace).
export class EngineRecorder {
  readonly calls: RecordedCall[] = [];
  readonly socketPath: string;
  private clock = 0;
  private held: Array<{match: (call: RecordedCall) => boolean; until: (calls: RecordedCall[]) => boolean; maxMs: number}> = [];
  private heldRequests: Array<{match: (call: RecordedCall) => boolean; until: (calls: RecordedCall[]) => boolean; maxMs: number}> = [];
  private lateEvents?: {match: (line: string) => boolean; ms: number};
  // When a delayed event line reached the client, in the recorder's order.
  readonly eventsDelivered: Array<{line: string; at: number}> = [];
  private readonly dir: string;
  private readonly server: http.Server;
  private readonly agent = new http.Agent({keepAlive: true, maxSockets: Infinity});

  private constructor(private readonly engineSocket: string) {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-engine-recorder-'));
    this.socketPath = path.join(this.dir, 'engine.sock');
    this.server = http.createServer((req, res) => void this.forward(req, res));
  }

  static async start(engineSocket = (process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '')): Promise<EngineRecorder> {
    const recorder = new EngineRecorder(engineSocket);
    await new Promise<void>((resolve) => recorder.server.listen(recorder.socketPath, resolve));
    return recorder;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.agent.destroy();
    rmSync(this.dir, {recursive: true, force: true});
  }

  // A matching call reaches the engine only once `until` holds for the calls
  // asked so far, or after maxMs: the engine does it later than asked (a slow
  // creation), where holdAnswers has the engine do it at once and answer late.
  holdRequests(match: (call: RecordedCall) => boolean, until: (calls: RecordedCall[]) => boolean, maxMs: number): void {
    this.heldRequests.push({match, until, maxMs});
  }

  // The engine's answer to a matching call reaches the client only once `until`
  // holds for the calls asked so far, or after maxMs: a test can then tell
  // whether the client waits for that answer before asking the rest.
  holdAnswers(match: (call: RecordedCall) => boolean, until: (calls: RecordedCall[]) => boolean, maxMs: number): void {
    this.held.push({match, until, maxMs});
  }

  // Event stream lines that match reach the client `ms` after the engine sent
  // them (what follows them waits behind, in order): an engine slow to report an exit.
  delayEvents(match: (line: string) => boolean, ms: number): void {
    this.lateEvents = {match, ms};
  }

  private async release(call: RecordedCall, holds = this.held): Promise<void> {
    const hold = holds.find((h) => h.match(call));
    if (!hold) return;
    const deadline = Date.now() + hold.maxMs;
    while (!hold.until(this.calls) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  // The event stream, through delayEvents() as it is set when each chunk comes.
  private delay(answer: http.IncomingMessage, res: http.ServerResponse): void {
    let queue = Promise.resolve();
    answer.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      const late = this.lateEvents;
      const matched = late !== undefined && text.split('\n').some((line) => late.match(line));
      const due = Date.now() + (late?.ms ?? 0);
      queue = queue.then(async () => {
        if (matched) await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
        if (matched) this.eventsDelivered.push({line: text, at: this.clock++});
        res.write(chunk);
      });
    });
    answer.on('end', () => void queue.then(() => res.end()));
  }

  private async forward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const [pathname, query = ''] = (req.url ?? '/').split('?');
    const call: RecordedCall = {seq: this.calls.length, method: req.method ?? 'GET', path: pathname!, query: decodeURIComponent(query), asked: this.clock++};
    this.calls.push(call);
    // The body waits in the request stream meanwhile.
    if (this.heldRequests.some((h) => h.match(call))) {
      req.pause();
      await this.release(call, this.heldRequests);
    }
    const upstream = http.request({socketPath: this.engineSocket, path: req.url, method: req.method, headers: req.headers, agent: this.agent}, async (answer) => {
      await this.release(call);
      call.answered = this.clock++;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      // A stream (events, attach) answers with headers only at first.
      res.flushHeaders();
      if (call.path === '/events') this.delay(answer, res);
      else answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  }
}

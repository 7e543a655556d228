import type Docker from 'dockerode';

// A container event the runtime acts on; `action` without the health suffix.
export interface ContainerEvent {
  id: string;
  action: 'die' | 'oom' | 'health_status' | 'start';
  service: string;
  exitCode?: number;
  // `healthy` / `unhealthy` for health_status.
  detail?: string;
}

interface RawEvent {
  Type?: string;
  Action?: string;
  id?: string;
  Actor?: {ID?: string; Attributes?: Record<string, string>};
  timeNano?: number;
}

export interface EventStreamHandlers {
  onEvent(event: ContainerEvent): void;
  // Called after the stream came back (engine restart): reconcile by inspecting.
  onReconnect(): void;
  onError?(error: Error): void;
}

const ACTIONS = ['die', 'oom', 'health_status', 'start'] as const;

// docker/compose pkg/compose: the engine's event stream drives monitoring, no
// polling. One filtered subscription per project; when the engine goes away it
// reconnects with backoff and replays from the last event seen (`since`).
export class EngineEventStream {
  private stream: NodeJS.ReadableStream | undefined;
  private closed = false;
  private lastNano: bigint | undefined;
  private retryMs = 100;

  constructor(
    private readonly docker: Docker,
    private readonly labels: string[],
    private readonly handlers: EventStreamHandlers,
  ) {}

  // Resolves once the engine accepted the subscription: events after this are seen.
  async start(): Promise<void> {
    await this.connect();
  }

  close(): void {
    this.closed = true;
    const stream = this.stream as (NodeJS.ReadableStream & {destroy?: () => void}) | undefined;
    stream?.destroy?.();
    this.stream = undefined;
  }

  private async connect(): Promise<void> {
    // timeNano went through a double (JSON): step back 1µs; a replayed event is harmless.
    const from = this.lastNano === undefined ? undefined : this.lastNano - 1000n;
    const since = from === undefined ? undefined : `${from / 1_000_000_000n}.${String(from % 1_000_000_000n).padStart(9, '0')}`;
    // `since` as "seconds.nanoseconds" (the engine accepts it; the typings say number).
    // No `event` filter: podman's Docker API (4.3) answers a stream filtered by
    // event with nothing at all; the labels already narrow it to our containers,
    // and handle() keeps only ACTIONS.
    const query = {...(since ? {since} : {}), filters: JSON.stringify({type: ['container'], label: this.labels})};
    const stream = (await this.docker.getEvents(query as unknown as Docker.GetEventsOptions)) as NodeJS.ReadableStream;
    this.stream = stream;
    this.retryMs = 100;
    let buffered = '';
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) this.handle(line);
    });
    const lost = (): void => {
      if (this.stream !== stream) return;
      this.stream = undefined;
      if (!this.closed) this.reconnectLater();
    };
    stream.on('end', lost);
    stream.on('close', lost);
    stream.on('error', lost);
  }

  private reconnectLater(): void {
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 2000);
    const timer = setTimeout(() => {
      if (this.closed) return;
      this.connect().then(
        () => this.handlers.onReconnect(),
        (error: Error) => {
          this.handlers.onError?.(error);
          this.reconnectLater();
        },
      );
    }, delay);
    timer.unref();
  }

  private handle(line: string): void {
    if (line.trim() === '') return;
    let raw: RawEvent;
    try {
      raw = JSON.parse(line) as RawEvent;
    } catch {
      return;
    }
    if (raw.timeNano !== undefined) this.lastNano = BigInt(raw.timeNano);
    const [action, detail] = (raw.Action ?? '').split(':').map((part) => part.trim());
    const id = raw.Actor?.ID ?? raw.id;
    if (id === undefined || !(ACTIONS as readonly string[]).includes(action ?? '')) return;
    const attributes = raw.Actor?.Attributes ?? {};
    // podman also says containerExitCode (and on some versions only that).
    const code = attributes.exitCode ?? attributes.containerExitCode;
    const exitCode = code === undefined ? undefined : Number(code);
    this.handlers.onEvent({id, action: action as ContainerEvent['action'], service: attributes['sidecar.service'] ?? '', exitCode, detail});
  }
}

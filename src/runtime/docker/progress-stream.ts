// One message of the engine's JSON progress stream (pull and build).
export interface EngineProgressMessage {
  status?: string;
  progress?: string;
  id?: string;
  stream?: string;
  error?: string;
  errorDetail?: {message?: string};
  aux?: {ID?: string};
}

// Read a JSON-lines progress stream to its end; the first `error` message rejects
// with the engine's own words (DESIGN: a failed build reports the engine's message).
export function followProgress(stream: NodeJS.ReadableStream, onMessage: (message: EngineProgressMessage) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    let failure: string | undefined;
    const handle = (line: string): void => {
      if (line.trim() === '') return;
      let message: EngineProgressMessage;
      try {
        message = JSON.parse(line) as EngineProgressMessage;
      } catch {
        return;
      }
      if (message.error !== undefined || message.errorDetail?.message !== undefined) {
        failure ??= message.errorDetail?.message ?? message.error;
        return;
      }
      onMessage(message);
    };
    stream.on('data', (chunk: Buffer | string) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) handle(line);
    });
    stream.on('error', reject);
    stream.on('end', () => {
      handle(buffered);
      if (failure === undefined) resolve();
      else reject(new Error(failure.trim()));
    });
  });
}

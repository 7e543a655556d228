// Longest line kept whole; longer ones are cut into pieces so memory stays bounded.
export const MAX_LINE_BYTES = 64 * 1024;
// Appended to every piece of a cut line except the last, so readers see the cut.
export const CONTINUED_MARKER = ' [line continues]';

// Turns a byte stream into whole lines. One splitter per stream, and JS runs one
// callback at a time, so two lines never interleave.
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly emit: (line: string) => void, private readonly maxBytes = MAX_LINE_BYTES) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl >= 0; nl = chunk.indexOf(10, start)) {
      this.append(chunk.subarray(start, nl));
      this.flushLine();
      start = nl + 1;
    }
    if (start < chunk.length) this.append(chunk.subarray(start));
  }

  // End of stream: a last line without newline is still a line.
  end(): void {
    if (this.pendingBytes > 0) this.flushLine();
  }

  private append(piece: Buffer): void {
    this.pending.push(piece);
    this.pendingBytes += piece.length;
    while (this.pendingBytes > this.maxBytes) this.cutPiece();
  }

  private cutPiece(): void {
    const all = Buffer.concat(this.pending);
    let cut = this.maxBytes;
    // Do not split a UTF-8 sequence: back off over continuation bytes (10xxxxxx).
    while (cut > 0 && (all[cut]! & 0xc0) === 0x80) cut--;
    if (cut === 0) cut = this.maxBytes;
    this.emit(all.subarray(0, cut).toString('utf8') + CONTINUED_MARKER);
    const rest = all.subarray(cut);
    this.pending = [rest];
    this.pendingBytes = rest.length;
  }

  private flushLine(): void {
    const buffer = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    const end = buffer.length > 0 && buffer[buffer.length - 1] === 13 ? buffer.length - 1 : buffer.length;
    this.emit(buffer.toString('utf8', 0, end));
  }
}

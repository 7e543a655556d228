// Splits a byte stream into lines without ever joining or cutting two of them;
// a partial line waits for the rest.
export class LineSplitter {
  private rest = '';

  push(chunk: string, onLine: (line: string) => void): void {
    const text = this.rest + chunk;
    let start = 0;
    let index = text.indexOf('\n', start);
    while (index !== -1) {
      onLine(text.slice(start, index));
      start = index + 1;
      index = text.indexOf('\n', start);
    }
    this.rest = text.slice(start);
  }
}

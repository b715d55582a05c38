/**
 * Splits a stream of text into newline-terminated lines (a watch is one JSON object per line).
 * Each chunk is scanned once from where the last line ended, and only an unfinished tail is kept
 * between chunks, so a chunk carrying many events costs one pass rather than one copy per line.
 */
export class LineSplitter {
  #tail = "";

  /** The lines that `chunk` completes, without their newlines. */
  push(chunk: string): string[] {
    const lines: string[] = [];
    let start = 0;
    let nl = chunk.indexOf("\n");
    if (nl >= 0 && this.#tail) {
      lines.push(this.#tail + chunk.slice(0, nl));
      this.#tail = "";
      start = nl + 1;
      nl = chunk.indexOf("\n", start);
    }
    while (nl >= 0) {
      lines.push(chunk.slice(start, nl));
      start = nl + 1;
      nl = chunk.indexOf("\n", start);
    }
    if (start < chunk.length) this.#tail += chunk.slice(start);
    return lines;
  }
}

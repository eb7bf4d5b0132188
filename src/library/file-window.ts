/**
 * An audio file as music-metadata's parseBlob() reads it (size, type,
 * slice().arrayBuffer()), served from one read-ahead window. parseFile()
 * asks the file for each token on its own: ~35 asynchronous reads of 4 to
 * 32 bytes per file, each a round trip through Bun's I/O thread pool and an
 * event-loop wake-up — most of a first scan's CPU. Here the tag parser's
 * small reads are copies out of a 64 KiB window filled by one pread, and
 * the window is placed so that tags at the end of a file (ID3v1, APE,
 * Lyrics3) arrive together too.
 *
 * Reads are synchronous: the tag pool's workers do nothing else, and a
 * window is one pread of a file that was just stat'ed.
 */
import { closeSync, openSync, readSync } from "node:fs";

const WINDOW = 64 * 1024;

export class FileWindow {
  readonly #fd: number;
  #window: Uint8Array = new Uint8Array(0);
  #at = 0;

  private constructor(
    fd: number,
    readonly size: number,
    /** The MIME type music-metadata picks its parser by ("" lets it guess by content). */
    public type = "",
  ) {
    this.#fd = fd;
  }

  /** Opens the file; the caller closes it. Throws as openSync does. */
  static open(path: string, size: number): FileWindow {
    return new FileWindow(openSync(path, "r"), size);
  }

  /** The first `length` bytes (fewer when the file is shorter). */
  head(length: number): Uint8Array {
    return this.#bytes(0, Math.min(length, this.size));
  }

  /** Blob.slice as strtok3's BlobTokenizer uses it: a range, read when its arrayBuffer() is asked for. */
  slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> } {
    return { arrayBuffer: async () => this.#bytes(start, Math.min(end, this.size)).slice().buffer as ArrayBuffer };
  }

  /** The window itself is reused: callers copy what they keep. */
  #bytes(start: number, end: number): Uint8Array {
    if (end <= start) return new Uint8Array(0);
    if (start >= this.#at && end <= this.#at + this.#window.length) return this.#window.subarray(start - this.#at, end - this.#at);
    if (end - start >= WINDOW) return this.#read(start, end - start); // a large block (a cover, a whole tag): read as is
    // Near the end of the file, slide the window back so it ends there.
    this.#at = Math.max(0, Math.min(start, this.size - WINDOW));
    this.#window = this.#read(this.#at, Math.min(WINDOW, this.size - this.#at));
    return this.#window.subarray(start - this.#at, end - this.#at);
  }

  #read(position: number, length: number): Uint8Array {
    const bytes = new Uint8Array(length);
    let got = 0;
    while (got < length) {
      const n = readSync(this.#fd, bytes, got, length - got, position + got);
      if (n === 0) break; // the file shrank since it was stat'ed: what is there
      got += n;
    }
    return got === length ? bytes : bytes.subarray(0, got);
  }

  close(): void {
    closeSync(this.#fd);
  }
}

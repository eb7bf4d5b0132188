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

/**
 * Windows given back by closed files. A scan opens a thousand or more files
 * a second; a fresh 64 KiB buffer each is ~100 MB/s of garbage, freed only
 * when the collector gets round to it (the first scan's RSS grew by tens of
 * MB between collections). A window is never handed out while a file holds
 * it, and tag parsers only ever get copies out of it.
 */
const spare: Uint8Array[] = [];
const SPARE = 8;

export class FileWindow {
  readonly #fd: number;
  #window: Uint8Array = new Uint8Array(0);
  #at = 0;
  /** The reusable buffer #window lies in, taken on the first fill. */
  #buffer: Uint8Array | null = null;

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
    return {
      arrayBuffer: async () => {
        const bytes = this.#bytes(start, Math.min(end, this.size));
        // A large block (a whole tag: lyrics, a Vorbis comment with a picture) was read into
        // a buffer of its own: hand that over rather than copy megabytes again.
        if (bytes.buffer !== this.#buffer?.buffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes.buffer as ArrayBuffer;
        // ArrayBuffer.slice copies the range once; a typed array's slice().buffer
        // also built a small array only to move its bytes out again.
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      },
    };
  }

  /** The window itself is reused: callers copy what they keep. */
  #bytes(start: number, end: number): Uint8Array {
    if (end <= start) return new Uint8Array(0);
    if (start >= this.#at && end <= this.#at + this.#window.length) return this.#window.subarray(start - this.#at, end - this.#at);
    if (end - start >= WINDOW) return this.#read(start, end - start); // a large block (a cover, a whole tag): read as is
    // Near the end of the file, slide the window back so it ends there.
    this.#at = Math.max(0, Math.min(start, this.size - WINDOW));
    this.#buffer ??= spare.pop() ?? new Uint8Array(WINDOW);
    this.#window = this.#readInto(this.#buffer, this.#at, Math.min(WINDOW, this.size - this.#at));
    return this.#window.subarray(start - this.#at, end - this.#at);
  }

  #read(position: number, length: number): Uint8Array {
    return this.#readInto(new Uint8Array(length), position, length);
  }

  /** Fills the first `length` bytes of `bytes` from `position`; returns those it got. */
  #readInto(bytes: Uint8Array, position: number, length: number): Uint8Array {
    let got = 0;
    while (got < length) {
      const n = readSync(this.#fd, bytes, got, length - got, position + got);
      if (n === 0) break; // the file shrank since it was stat'ed: what is there
      got += n;
    }
    return got === bytes.length ? bytes : bytes.subarray(0, got);
  }

  close(): void {
    closeSync(this.#fd);
    this.#window = new Uint8Array(0);
    if (this.#buffer && spare.length < SPARE) spare.push(this.#buffer);
    this.#buffer = null;
  }
}

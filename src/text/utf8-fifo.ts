/**
 * A first-in first-out queue of strings kept as UTF-8 bytes, each behind a
 * 4-byte length, in fixed-size chunks; a chunk is dropped once read. For
 * long queues that would otherwise be JS objects: 100,000 paths queued as
 * strings in a Map held ~9 MB of live heap (each string and its Map entry,
 * and JSC's heap runs at up to 2x its live size between collections); as
 * bytes they take their length plus 4 bytes each, outside the JS heap.
 * Well-formed strings come back exactly; a lone surrogate (which no file
 * name read from disk holds) comes back as U+FFFD, as through any UTF-8.
 */
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Bytes before each entry: its length, little-endian. */
const PREFIX = 4;

interface Chunk {
  bytes: Uint8Array;
  /** Bytes written so far. */
  used: number;
}

export class Utf8Fifo {
  readonly #chunkSize: number;
  /** Every chunk here holds at least one unread entry. */
  #chunks: Chunk[] = [];
  /** Where the next entry of the first chunk starts. */
  #read = 0;
  #size = 0;

  /** `chunkSize`: bytes per chunk (an entry longer than that gets a chunk of its own). */
  constructor(chunkSize = 64 * 1024) {
    this.#chunkSize = chunkSize;
  }

  get size(): number {
    return this.#size;
  }

  push(text: string): void {
    const last = this.#chunks.at(-1);
    if (last === undefined || !write(last, text)) {
      // Big enough for the text's worst case (3 bytes per UTF-16 unit).
      const chunk = { bytes: new Uint8Array(Math.max(this.#chunkSize, PREFIX + text.length * 3)), used: 0 };
      this.#chunks.push(chunk);
      write(chunk, text);
    }
    this.#size++;
  }

  /** The oldest entry, or undefined when empty. */
  shift(): string | undefined {
    if (this.#size === 0) return undefined;
    const chunk = this.#chunks[0]!;
    const { bytes } = chunk;
    const at = this.#read + PREFIX;
    const length = bytes[at - 4]! | (bytes[at - 3]! << 8) | (bytes[at - 2]! << 16) | (bytes[at - 1]! << 24);
    const text = decoder.decode(bytes.subarray(at, at + length));
    this.#read = at + length;
    this.#size--;
    if (this.#read === chunk.used) {
      this.#chunks.shift();
      this.#read = 0;
    }
    return text;
  }

  clear(): void {
    this.#chunks = [];
    this.#read = 0;
    this.#size = 0;
  }
}

/** Appends `text` to `chunk` if it fits whole. */
function write(chunk: Chunk, text: string): boolean {
  const at = chunk.used + PREFIX;
  if (at > chunk.bytes.length) return false;
  const { read, written } = encoder.encodeInto(text, chunk.bytes.subarray(at));
  if (read < text.length) return false;
  const { bytes } = chunk;
  bytes[at - 4] = written & 0xff;
  bytes[at - 3] = (written >>> 8) & 0xff;
  bytes[at - 2] = (written >>> 16) & 0xff;
  bytes[at - 1] = written >>> 24;
  chunk.used = at + written;
  return true;
}

/**
 * Pull-style reading of an async byte stream: lines and counted byte runs,
 * handing out subarrays of the source's own buffers so a body is never
 * copied or held whole.
 */
import { S3Error } from "../errors.ts";

const LF = 0x0a;
const CR = 0x0d;
const EMPTY = new Uint8Array(0);
const decoder = new TextDecoder();

export class ByteReader {
  private buf: Uint8Array = EMPTY;
  private pos = 0;
  private ended = false;
  private readonly it: AsyncIterator<Uint8Array>;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** Hands the source back (its iterator's return()); reading after this finds the end. */
  async release(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.pos = this.buf.length;
    await this.it.return?.();
  }

  /** True when a byte is available, false at the end of the stream. */
  private async fill(): Promise<boolean> {
    while (this.pos >= this.buf.length) {
      if (this.ended) return false;
      const next = await this.it.next();
      if (next.done) {
        this.ended = true;
        return false;
      }
      this.buf = next.value;
      this.pos = 0;
    }
    return true;
  }

  /**
   * The next line without its "\r\n" or "\n"; null when the stream ends
   * before a line end (a cut-off line is no line). Throws `tooLong` once a
   * line passes `maxBytes`.
   */
  async readLine(maxBytes: number, tooLong: () => S3Error): Promise<string | null> {
    let pieces: Uint8Array[] | null = null;
    let length = 0;
    while (await this.fill()) {
      const end = this.buf.indexOf(LF, this.pos);
      const stop = end < 0 ? this.buf.length : end;
      const piece = this.buf.subarray(this.pos, stop);
      length += piece.length;
      if (length > maxBytes) throw tooLong();
      this.pos = end < 0 ? stop : end + 1;
      if (end >= 0 && pieces === null) return lineText(piece);
      // Copied: a source may reuse its buffer once we ask for the next one.
      (pieces ??= []).push(end >= 0 ? piece : piece.slice());
      if (end >= 0) return lineText(Buffer.concat(pieces));
    }
    return null;
  }

  /** Up to `max` bytes (at least one), or null at the end of the stream. */
  async take(max: number): Promise<Uint8Array | null> {
    if (!(await this.fill())) return null;
    const n = Math.min(max, this.buf.length - this.pos);
    const piece = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return piece;
  }

  /** Consumes "\r\n" or a bare "\n": "ok", "eof" if the stream ends first, "other" if something else comes. */
  async skipLineEnd(): Promise<"ok" | "eof" | "other"> {
    if (!(await this.fill())) return "eof";
    if (this.buf[this.pos] === CR) {
      this.pos++;
      if (!(await this.fill())) return "eof";
    }
    if (this.buf[this.pos] !== LF) return "other";
    this.pos++;
    return "ok";
  }

  /** Everything left, as text; throws `tooLong` past `maxBytes`. */
  async readRest(maxBytes: number, tooLong: () => S3Error): Promise<string> {
    const pieces: Uint8Array[] = [];
    let length = 0;
    while (await this.fill()) {
      const piece = this.buf.subarray(this.pos);
      this.pos = this.buf.length;
      length += piece.length;
      if (length > maxBytes) throw tooLong();
      pieces.push(piece.slice());
    }
    return decoder.decode(Buffer.concat(pieces));
  }
}

function lineText(bytes: Uint8Array): string {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
  return decoder.decode(bytes.subarray(0, end));
}

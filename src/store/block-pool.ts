/**
 * Write blocks kept for the next body instead of freed. An awscli-style
 * multipart upload sends 128 parts of 8 MiB per GiB, ten at a time, and
 * each part went through a 1 MiB block of its own: allocated afresh, every
 * block was faulted in page by page again (28,000–33,000 page faults per
 * GiB). With blocks reused: 4,500–8,600, and 5.0–5.8 CPU-s/GiB against
 * 6.2–6.8 in alternating runs (5.7 against 4.3–4.7 with the VM's free-page
 * reporting held back; atomic-write.ts says why its part blocks are
 * small). Spare blocks are freed once none has been asked for in a while,
 * so an idle server holds none.
 */
import { freeBuffer } from "../s3/spent-chunks.ts";

export class BlockPool {
  readonly #spare: Uint8Array[] = [];
  #idle: ReturnType<typeof setTimeout> | null = null;

  /** At most `keep` spare blocks of `size` bytes, all freed `idleMs` after the last one came back. */
  constructor(
    readonly size: number,
    private readonly keep: number,
    private readonly idleMs: number,
  ) {}

  /** A block to fill; its bytes are whatever the last user left. */
  take(): Uint8Array {
    return this.#spare.pop() ?? Buffer.allocUnsafe(this.size);
  }

  /** Hands a block from take() back; the caller keeps no view of it. */
  give(block: Uint8Array): void {
    if (this.#spare.length >= this.keep) return freeBuffer(block);
    this.#spare.push(block);
    if (this.#idle) clearTimeout(this.#idle);
    this.#idle = setTimeout(() => this.drain(), this.idleMs);
    this.#idle.unref();
  }

  get spare(): number {
    return this.#spare.length;
  }

  /** Frees every spare block now. */
  drain(): void {
    if (this.#idle) clearTimeout(this.#idle);
    this.#idle = null;
    for (const block of this.#spare.splice(0)) freeBuffer(block);
  }
}

/**
 * Per-path debounce for files that may still be being written: a path fires
 * once it has had no event for `delayMs` and its size/mtime/inode did not move
 * during that time (a writer on a network share may change a file without any
 * local event). Each new event re-arms the path's timer. It fires with the
 * last look, so whoever follows need not stat the path again.
 */
import { sameLook, type Look } from "./identity.ts";

export class Settle {
  readonly #timers = new Map<string, { timer: Timer; look: Look }>();

  constructor(
    private readonly delayMs: number,
    /** The path right now (a stat), compared across the wait. */
    private readonly probe: (rel: string) => Look,
    private readonly fire: (rel: string, look: Look) => void,
    /** Nothing is waiting any more. */
    private readonly onEmpty: () => void = () => {},
  ) {}

  get size(): number {
    return this.#timers.size;
  }

  has(rel: string): boolean {
    return this.#timers.has(rel);
  }

  /** Re-arms `rel`; `expected` is what it is believed to look like now (then it is not stat'ed until the wait is over). */
  touch(rel: string, expected?: Look): void {
    const entry = this.#timers.get(rel);
    if (entry) clearTimeout(entry.timer);
    this.#arm(rel, expected ?? this.probe(rel));
  }

  cancel(rel: string): void {
    const entry = this.#timers.get(rel);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.#timers.delete(rel);
    if (this.#timers.size === 0) this.onEmpty();
  }

  clear(): void {
    for (const entry of this.#timers.values()) clearTimeout(entry.timer);
    this.#timers.clear();
  }

  #arm(rel: string, look: Look): void {
    const timer = setTimeout(() => {
      const now = this.probe(rel);
      if (!sameLook(now, look)) return this.#arm(rel, now);
      this.#timers.delete(rel);
      try {
        this.fire(rel, now);
      } finally {
        if (this.#timers.size === 0) this.onEmpty();
      }
    }, this.delayMs);
    this.#timers.set(rel, { timer, look });
  }
}

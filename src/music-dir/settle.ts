import { sameLook, type Look } from "./identity.ts";

/**
 * Per-path debounce for files that may still be being written: a path fires
 * once it has had no event for `delayMs` and its size/mtime/inode did not move
 * during that time (a writer on a network share may change a file without any
 * local event). Each new event re-arms the path's timer.
 */
export class Settle {
  readonly #timers = new Map<string, { timer: Timer; look: Look }>();

  constructor(
    private readonly delayMs: number,
    /** The path right now (a stat), compared across the wait. */
    private readonly probe: (rel: string) => Look,
    private readonly fire: (rel: string) => void,
  ) {}

  get size(): number {
    return this.#timers.size;
  }

  has(rel: string): boolean {
    return this.#timers.has(rel);
  }

  touch(rel: string): void {
    const entry = this.#timers.get(rel);
    if (entry) clearTimeout(entry.timer);
    this.#arm(rel, this.probe(rel));
  }

  cancel(rel: string): void {
    const entry = this.#timers.get(rel);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.#timers.delete(rel);
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
      this.fire(rel);
    }, this.delayMs);
    this.#timers.set(rel, { timer, look });
  }
}

/**
 * Rename recognition. A move shows up as "old path gone" and "new path
 * appeared", in one batch or a few apart (a folder move arrives as many
 * paths). A removed track's id is remembered by (inode, size) for a short
 * while; a new path with the same inode and size takes the id back.
 */
export interface RemovedTrack {
  id: number;
  createdAt: string;
}

export class RecentlyRemoved {
  readonly #byIdentity = new Map<string, RemovedTrack & { at: number }>();

  constructor(private readonly ttlMs = 10_000, private readonly now: () => number = Date.now) {}

  remember(ino: number, size: number, track: RemovedTrack): void {
    if (ino === 0) return; // filesystems without inode numbers: nothing to recognise
    this.#expire();
    const key = `${ino}:${size}`;
    this.#byIdentity.delete(key); // re-insert at the end: the map stays in time order
    this.#byIdentity.set(key, { ...track, at: this.now() });
  }

  take(ino: number, size: number): RemovedTrack | undefined {
    this.#expire();
    const key = `${ino}:${size}`;
    const hit = this.#byIdentity.get(key);
    if (hit) this.#byIdentity.delete(key);
    return hit && { id: hit.id, createdAt: hit.createdAt };
  }

  #expire(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const [key, value] of this.#byIdentity) {
      if (value.at >= cutoff) break; // insertion order is time order
      this.#byIdentity.delete(key);
    }
  }
}

/**
 * The cover images a reconcile walk passes (SPEC §7, §9): the walk is the
 * only sync on a network share or once the watch limit is hit, so a
 * cover.jpg added, renamed or removed there must reach the tracks'
 * cover_image through it. The walk lists each folder once and yields that
 * folder's audio files right after it, so a folder's chosen image and what
 * its known tracks recorded are compared as the walk goes: no second
 * directory read, no map of every folder.
 */
import { join } from "node:path";
import { lookImage, preferredCover } from "./cover.ts";
import type { RecordedTrack, TrackStore } from "./track-store.ts";

interface Difference {
  relDir: string;
  name: string;
  /** Some track had a look recorded, maybe by the watcher after the walk listed the folder. */
  looked: boolean;
}

export class WalkedCovers {
  #dir = ""; // the folder being listed; the top first (the walk yields no entry for it)
  #image: string | undefined;
  #recorded: string | null | undefined; // undefined: no known track yet
  #mixed = false;
  #looked = false;
  readonly #differ: Difference[] = [];

  /** WalkOptions.onOther. */
  readonly other = (relDir: string, name: string): void => {
    if (relDir === this.#dir) this.#image = preferredCover(this.#image, name);
  };

  /** The walk moved on to the next folder: the last one has been listed whole. */
  folder(relDir: string): void {
    this.#close();
    this.#dir = relDir;
  }

  /** A known track in the folder being listed. */
  track(t: RecordedTrack): void {
    if (this.#recorded === undefined) this.#recorded = t.coverImage;
    else if (t.coverImage !== this.#recorded) this.#mixed = true;
    if (t.coverImage !== null) this.#looked = true;
  }

  /**
   * After a trusted walk: the folders whose tracks recorded another image
   * get what is there. One that had a look recorded is looked at again
   * first (a 100k-file walk takes seconds; the watcher may have recorded a
   * newer image meanwhile, and a folder unreadable now is left alone).
   * Returns how many folders changed.
   */
  apply(store: TrackStore, root: string): number {
    this.#close();
    const changes: { relDir: string; name: string }[] = [];
    for (const d of this.#differ) {
      const name = d.looked ? lookImage(join(root, d.relDir)) : d.name;
      if (name !== undefined) changes.push({ relDir: d.relDir, name });
    }
    if (changes.length > 0) store.setFolderImages(changes);
    return changes.length;
  }

  #close(): void {
    const name = this.#image ?? "";
    if (this.#recorded !== undefined && (this.#mixed || this.#recorded !== name))
      this.#differ.push({ relDir: this.#dir, name, looked: this.#looked });
    this.#image = undefined;
    this.#recorded = undefined;
    this.#mixed = false;
    this.#looked = false;
  }
}

/**
 * The cover images a reconcile walk passes (SPEC §7, §9): the walk is the
 * only sync on a network share or once the watch limit is hit, so a
 * cover.jpg added, renamed or removed there must reach the tracks'
 * cover_image through it. The walk lists each folder once, pre-order: a
 * folder, its other files (onOther), then its audio files and subfolders in
 * key order, so a folder's files may come before and after a subfolder's.
 * The folders open on the way down (a stack as deep as the tree) each gather
 * their chosen image and what their known tracks recorded, and are compared
 * when the walk leaves them: no second directory read, no map of every folder.
 */
import { join } from "node:path";
import { lookImage, preferredCover } from "./cover.ts";
import type { TrackStore } from "./track-store.ts";

interface Difference {
  relDir: string;
  name: string;
  /** Some track had a look recorded, maybe by the watcher after the walk listed the folder. */
  looked: boolean;
}

/** A folder the walk is in: what is there, what its known tracks recorded. */
interface OpenFolder {
  dir: string;
  image: string | undefined;
  recorded: string | null | undefined; // undefined: no known track yet
  mixed: boolean;
  looked: boolean;
}

const openFolder = (dir: string): OpenFolder => ({ dir, image: undefined, recorded: undefined, mixed: false, looked: false });

/** `rel` is `dir` or below it ("" holds everything). */
const holds = (dir: string, rel: string): boolean =>
  dir === "" || (rel.startsWith(dir) && (rel.length === dir.length || rel.charCodeAt(dir.length) === 0x2f));

export class WalkedCovers {
  // The top first (the walk yields no entry for it); the folder being walked last.
  readonly #open: OpenFolder[] = [openFolder("")];
  readonly #differ: Difference[] = [];

  /** WalkOptions.onOther: called right after the folder's own entry. */
  readonly other = (relDir: string, name: string): void => {
    const top = this.#open[this.#open.length - 1];
    if (top?.dir === relDir) top.image = preferredCover(top.image, name);
  };

  /** The walk entered a folder: the folders it has left (not above this one) have been walked whole. */
  folder(relDir: string): void {
    this.#leaveUntil(relDir);
    this.#open.push(openFolder(relDir));
  }

  /** A known track at `rel`, with the image it recorded. */
  track(rel: string, coverImage: string | null): void {
    const slash = rel.lastIndexOf("/");
    const dir = slash === -1 ? "" : rel.slice(0, slash);
    this.#leaveUntil(dir);
    const top = this.#open[this.#open.length - 1];
    if (top?.dir !== dir) return; // not a folder the walk listed
    if (top.recorded === undefined) top.recorded = coverImage;
    else if (coverImage !== top.recorded) top.mixed = true;
    if (coverImage !== null) top.looked = true;
  }

  /**
   * After a trusted walk: the folders whose tracks recorded another image
   * get what is there. One that had a look recorded is looked at again
   * first (a 100k-file walk takes seconds; the watcher may have recorded a
   * newer image meanwhile, and a folder unreadable now is left alone).
   * Returns how many folders changed.
   */
  apply(store: TrackStore, root: string): number {
    while (this.#open.length > 0) this.#close();
    const changes: { relDir: string; name: string }[] = [];
    for (const d of this.#differ) {
      const name = d.looked ? lookImage(join(root, d.relDir)) : d.name;
      if (name !== undefined) changes.push({ relDir: d.relDir, name });
    }
    if (changes.length > 0) store.setFolderImages(changes);
    return changes.length;
  }

  /** Closes the open folders that do not hold `rel`: the walk has left them. */
  #leaveUntil(rel: string): void {
    while (this.#open.length > 0 && !holds(this.#open[this.#open.length - 1]!.dir, rel)) this.#close();
  }

  #close(): void {
    const f = this.#open.pop()!;
    const name = f.image ?? "";
    if (f.recorded !== undefined && (f.mixed || f.recorded !== name)) this.#differ.push({ relDir: f.dir, name, looked: f.looked });
  }
}

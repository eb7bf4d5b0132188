/**
 * What syncing one path means. A file whose size, mtime or inode changed is
 * parsed (and parsed again later if it changed meanwhile); a folder is
 * expanded into its files; a missing path removes its track and every track
 * below it — but only while music_dir is still the directory we started
 * with (an unmounted share must not read as "everything deleted"). The look
 * at the path comes with music_dir's change when there is one; only paths
 * queued without one (reconcile, tests) are stat'ed here.
 */
import { basename, dirname, join } from "node:path";
import { fileIdentity, isAudioPath, sameIdentity, sameLook, type Change, type Look, type MusicDir, type WalkEntry } from "../music-dir/index.ts";
import { FolderImages, isCoverImageName } from "./cover.ts";
import type { Log } from "./log.ts";
import { readTags, type TrackTags } from "./tags.ts";
import type { TrackStore, TrackUpsert } from "./track-store.ts";

/** The results of a group of paths, written in one transaction. */
export interface Batch {
  upserts: TrackUpsert[];
  removals: string[];
  /** Every path looked at (retried together when the write fails). */
  seen: string[];
}

export function emptyBatch(): Batch {
  return { upserts: [], removals: [], seen: [] };
}

/** What PathSync needs from its queue. */
export interface PathSyncHost {
  /** Sync it again once it has settled (debounced). */
  later(rel: string): void;
  /** A debounce is pending for it (the watcher still sees it written). */
  settling(rel: string): boolean;
  /** Sync it soon, behind urgent work. */
  soon(rel: string): void;
  /** A file was parsed; `failed` when its tags could not be read. */
  parsed(failed: boolean): void;
}

export class PathSync {
  readonly #images = new FolderImages();

  constructor(
    private readonly dir: MusicDir,
    private readonly store: TrackStore,
    private readonly log: Log,
    private readonly host: PathSyncHost,
    /** Reads a file's tags (the sync queue's tag pool; inline by default). */
    private readonly read: (absPath: string, size: number, urgent: boolean) => Promise<TrackTags> = readTags,
  ) {}

  /** `urgent`: an S3 write's path, whose parse goes ahead of a scan's. */
  async sync(rel: string, batch: Batch, change: Change | null = null, urgent = false): Promise<void> {
    batch.seen.push(rel);
    const st: Look = change === null ? this.dir.look(rel) : change.kind === "gone" ? "missing" : change.stat;
    if (st === "error") return; // unreadable (EACCES, EIO): neither parse nor remove
    if (isCoverImageName(basename(rel)) && (st === "missing" || st.isFile())) return this.#imageChanged(rel);
    if (st === "missing") {
      if (!this.dir.rootIsOurs()) return;
      if (this.store.get(rel)) batch.removals.push(rel);
      for (const below of this.store.relsUnder(rel)) {
        batch.removals.push(below);
        batch.seen.push(below);
      }
    } else if (st.isDirectory()) {
      this.#expand(rel, batch, change?.kind === "folder" ? change : null);
    } else if (st.isFile() && isAudioPath(rel)) {
      const known = this.store.get(rel);
      const id = fileIdentity(st);
      if (known && sameIdentity(known, id)) return;
      const abs = join(this.dir.root, rel);
      const tags = await this.read(abs, st.size, urgent);
      // Our own write was renamed into place whole; anything else may still be
      // moving. A later change by anyone comes round as its own change.
      if (!change?.ours && !sameLook(this.dir.look(rel), st)) return this.host.later(rel); // changed while parsed
      this.host.parsed(tags.parseError !== null);
      batch.upserts.push({ rel, ...id, tags, coverImage: this.#images.nameIn(dirname(abs)) });
    }
  }

  /** cover.jpg (or the like) came, changed or went: the tracks beside it record what is there now. */
  #imageChanged(rel: string): void {
    const relDir = dirname(rel) === "." ? "" : dirname(rel);
    const abs = join(this.dir.root, relDir);
    this.#images.forget(abs);
    this.store.setFolderImage(relDir, this.#images.nameIn(abs));
  }

  /** A folder: queue its new or changed files, remove tracks below it that are no longer there. */
  #expand(relDir: string, batch: Batch, walked: { below: WalkEntry[]; unreadable: string[]; trusted: boolean } | null): void {
    const unreadable: string[] = walked ? [...walked.unreadable] : [];
    const present = new Set<string>();
    try {
      const entries = walked ? walked.below : this.dir.walk(relDir, { onError: (rel) => unreadable.push(`${rel}/`) });
      for (const e of entries) {
        batch.seen.push(e.rel);
        if (e.isDir) continue;
        present.add(e.rel);
        if (this.host.settling(e.rel)) continue; // the watcher will hand it over once written
        const known = this.store.get(e.rel);
        if (!known || !sameIdentity(known, e)) this.host.soon(e.rel);
      }
    } catch (error) {
      this.log.warn("library: cannot read folder, leaving its tracks alone", { path: relDir, error: String(error) });
      return;
    }
    if (!(walked ? walked.trusted : this.dir.rootIsOurs())) return;
    if (this.store.get(relDir)) batch.removals.push(relDir); // a file replaced by a folder of the same name
    for (const rel of this.store.relsUnder(relDir)) {
      if (present.has(rel) || unreadable.some((dir) => rel.startsWith(dir))) continue;
      // The walk may be older than a file written below it since (the file's
      // own change may even have been synced first): remove only what is gone now.
      if (walked && this.dir.look(rel) !== "missing") continue;
      batch.removals.push(rel);
      batch.seen.push(rel);
    }
  }
}

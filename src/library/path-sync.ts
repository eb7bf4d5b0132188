/**
 * What syncing one path means. It is stat'ed: a file whose size, mtime or
 * inode changed is parsed (and parsed again later if it changed meanwhile);
 * a folder is expanded into its files; a missing path removes its track and
 * every track below it — but only while music_dir is still the directory we
 * started with (an unmounted share must not read as "everything deleted").
 */
import { join } from "node:path";
import { fileIdentity, isAudioPath, sameIdentity, sameLook, statPath, walkTree } from "../music-dir/index.ts";
import type { Log } from "./log.ts";
import { readTags } from "./tags.ts";
import type { TrackStore, TrackUpsert } from "./track-store.ts";

/** The results of a group of paths, written in one transaction. */
export interface Batch {
  upserts: TrackUpsert[];
  removals: string[];
  /** Every path looked at, for the path sinks. */
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
  #rootId: string | null;
  #rootWarned = false;

  constructor(
    private readonly musicDir: string,
    private readonly store: TrackStore,
    private readonly log: Log,
    private readonly host: PathSyncHost,
  ) {
    this.#rootId = this.#currentRootId();
  }

  async sync(rel: string, batch: Batch): Promise<void> {
    batch.seen.push(rel);
    const abs = join(this.musicDir, rel);
    const st = statPath(abs);
    if (st === "error") return; // unreadable (EACCES, EIO): neither parse nor remove
    if (st === "missing") {
      if (!this.#rootIsOurs()) return;
      if (this.store.get(rel)) batch.removals.push(rel);
      for (const below of this.store.relsUnder(rel)) {
        batch.removals.push(below);
        batch.seen.push(below);
      }
    } else if (st.isDirectory()) {
      this.#expand(rel, batch);
    } else if (st.isFile() && isAudioPath(rel)) {
      const known = this.store.get(rel);
      const id = fileIdentity(st);
      if (known && sameIdentity(known, id)) return;
      const tags = await readTags(abs, st.size);
      if (!sameLook(statPath(abs), st)) return this.host.later(rel); // changed while parsed
      this.host.parsed(tags.parseError !== null);
      batch.upserts.push({ rel, ...id, tags });
    }
  }

  /** A full reconcile found music_dir readable and not empty: it is ours from now on. */
  adoptRoot(): void {
    this.#rootId = this.#currentRootId();
    this.#rootWarned = false;
  }

  /** A folder: queue its new or changed files, remove tracks below it that are no longer there. */
  #expand(relDir: string, batch: Batch): void {
    const unreadable: string[] = [];
    const present = new Set<string>();
    try {
      for (const e of walkTree(this.musicDir, relDir, { onError: (rel) => unreadable.push(`${rel}/`) })) {
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
    if (!this.#rootIsOurs()) return;
    if (this.store.get(relDir)) batch.removals.push(relDir); // a file replaced by a folder of the same name
    for (const rel of this.store.relsUnder(relDir)) {
      if (present.has(rel) || unreadable.some((dir) => rel.startsWith(dir))) continue;
      batch.removals.push(rel);
      batch.seen.push(rel);
    }
  }

  #rootIsOurs(): boolean {
    const now = this.#currentRootId();
    if (now !== null && this.#rootId === null) this.#rootId = now;
    if (now !== null && now === this.#rootId) return true;
    if (!this.#rootWarned) this.log.warn("library: music_dir is missing or was replaced; not removing any track", { musicDir: this.musicDir });
    this.#rootWarned = true;
    return false;
  }

  #currentRootId(): string | null {
    const st = statPath(this.musicDir);
    return typeof st !== "string" && st.isDirectory() ? `${st.dev}:${st.ino}` : null;
  }
}

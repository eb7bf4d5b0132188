/**
 * The music folder as one source of change events. Every way a path can
 * change ends here once: our own writes (the store says what it wrote and
 * how it looked), the watcher (debounced per path until the file stops
 * moving) and the library's "look again later". Each change is looked at
 * once and handed to every follower (the library's sync queue, the object
 * index) with that look, so no follower stats the path again. A folder is
 * walked once and handed over with everything below it.
 *
 * The watcher's event for one of our own writes arrives after the write was
 * already handed over; its settled look is compared with the one we wrote
 * and, when it is the same file (size, mtime, inode), dropped.
 */
import { statSync, type Stats } from "node:fs";
import { sameLook, type Look } from "./identity.ts";
import type { Log } from "./log.ts";
import { RootGuard } from "./root-guard.ts";
import { Settle } from "./settle.ts";
import { walkTree, type WalkEntry, type WalkOptions } from "./walk.ts";
import { FolderWatcher, type WatchFn } from "./watcher.ts";
import { isWorkPath } from "./work-dir.ts";

/**
 * What changed at `rel` ("/"-separated, relative to music_dir; "" is music_dir).
 * `ours`: one of our own writes (a client is waiting for it; the file was
 * renamed into place whole).
 */
export type Change =
  /** Something that is not a folder is there now (followers check isFile() and the audio rule). */
  | { kind: "file"; rel: string; stat: Stats; ours: boolean }
  /** `rel` and everything below it are gone. */
  | { kind: "gone"; rel: string; ours: boolean }
  /**
   * A folder appeared, changed or was renamed in: every folder and audio file
   * below it as walked now. `trusted`: music_dir is still the folder we
   * started with, so what the walk did not see below `rel` is really gone
   * (except under `unreadable`, "/"-terminated).
   */
  | { kind: "folder"; rel: string; stat: Stats; below: WalkEntry[]; unreadable: string[]; trusted: boolean; ours: boolean };

export interface Follower {
  changed(change: Change): void;
}

export interface MusicDirOptions {
  root: string;
  log: Log;
  /** Quiet time a watched path needs before it is handed over. */
  debounceMs?: number;
  /** Tests replace it to simulate ENOSPC; defaults to node:fs watch. */
  watchFn?: WatchFn;
  /** Every stat of a path under music_dir goes through it (tests count them). */
  statFn?: (path: string) => Stats;
}

/** Our own writes whose watcher echo has not come yet; beyond this the oldest are forgotten (no watcher, no echo). */
const MAX_AWAITED_ECHOES = 4096;

export class MusicDir {
  readonly root: string;
  readonly #log: Log;
  readonly #followers: Follower[] = [];
  readonly #settle: Settle;
  readonly #statFn: (path: string) => Stats;
  readonly #root: RootGuard;
  readonly #watchFn: WatchFn | undefined;
  /** rel → how our own write left it, until the watcher's echo is recognised. */
  readonly #echoes = new Map<string, Look>();
  readonly #quietWaiters: (() => void)[] = [];
  #watcher: FolderWatcher | null = null;
  #closed = false;

  constructor(options: MusicDirOptions) {
    this.root = options.root;
    this.#log = options.log;
    this.#statFn = options.statFn ?? statSync;
    this.#watchFn = options.watchFn;
    this.#root = new RootGuard(this.root, options.log, (p) => this.#lookAbs(p));
    this.#settle = new Settle(
      options.debounceMs ?? 300,
      (rel) => this.look(rel),
      (rel, look) => this.#settled(rel, look),
      () => this.#wakeIfQuiet(),
    );
  }

  follow(follower: Follower): void {
    this.#followers.push(follower);
  }

  /** The path as it is now: its stat, "missing", or "error" (EACCES, EIO). */
  look(rel: string): Look {
    return this.#lookAbs(rel === "" ? this.root : `${this.root}/${rel}`);
  }

  /** Walks below `relDir` with the same stat every other look uses. */
  walk(relDir = "", options: Omit<WalkOptions, "stat"> = {}): Generator<WalkEntry> {
    return walkTree(this.root, relDir, { ...options, stat: this.#statFn });
  }

  /**
   * One of our own writers changed `rel` and looked at it afterwards: hand it
   * to every follower but `from` (who recorded it already), and remember the
   * look so that the watcher's echo of it is dropped.
   */
  wrote(rel: string, look: Look, from?: Follower): void {
    if (isWorkPath(rel) || this.#closed) return;
    this.#settle.cancel(rel);
    this.#echoes.delete(rel);
    this.#echoes.set(rel, look);
    if (this.#echoes.size > MAX_AWAITED_ECHOES) this.#echoes.delete(this.#echoes.keys().next().value!);
    this.#emit(rel, look, true, from);
  }

  /** The path may have changed (a watcher event, a file that moved while it was parsed): look again once it has settled. */
  touch(rel: string): void {
    if (isWorkPath(rel) || this.#closed) return;
    // An echo of our own write starts from the look we wrote: nothing to stat yet.
    this.#settle.touch(rel, this.#echoes.get(rel));
  }

  /** A debounce is pending for it (it is still being written). */
  settling(rel: string): boolean {
    return this.#settle.has(rel);
  }

  get settlingCount(): number {
    return this.#settle.size;
  }

  /** Resolves once no path is waiting to settle. */
  quiet(): Promise<void> {
    if (this.#settle.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#quietWaiters.push(resolve));
  }

  /** music_dir is still the folder we started with (not missing, not an empty mount point left by an unmounted share). */
  rootIsOurs(): boolean {
    return this.#root.isOurs();
  }

  /** A full walk found music_dir readable and not empty: it is ours from now on. */
  adoptRoot(): void {
    this.#root.adopt();
  }

  get watching(): boolean {
    return this.#watcher?.active ?? false;
  }

  /** Starts the recursive watch (again, after a failure); returns whether it runs. */
  startWatching(onFailure: (error: Error) => void = () => {}): boolean {
    if (this.#closed) return false;
    this.#watcher ??= new FolderWatcher({ musicDir: this.root, log: this.#log, watchFn: this.#watchFn, onPath: (rel) => this.touch(rel), onFailure });
    return this.#watcher.start();
  }

  stopWatching(): void {
    this.#watcher?.stop();
  }

  /** Stops the watch and drops what is waiting to settle. */
  close(): void {
    this.#closed = true;
    this.stopWatching();
    this.#settle.clear();
    this.#wakeIfQuiet();
  }

  #lookAbs(path: string): Look {
    try {
      return this.#statFn(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return code === "ENOENT" || code === "ENOTDIR" ? "missing" : "error";
    }
  }

  #settled(rel: string, look: Look): void {
    const echo = this.#echoes.get(rel);
    this.#echoes.delete(rel);
    if (echo !== undefined && sameLook(echo, look)) return; // our own write, already handed over
    this.#emit(rel, look, false);
  }

  #emit(rel: string, look: Look, ours: boolean, from?: Follower): void {
    const change = this.#changeOf(rel, look, ours);
    if (!change) return;
    for (const follower of this.#followers) {
      if (follower === from) continue;
      try {
        follower.changed(change);
      } catch (error) {
        this.#log.error("music_dir: a follower failed", { path: rel, error: String(error) });
      }
    }
  }

  #changeOf(rel: string, look: Look, ours: boolean): Change | null {
    if (look === "error") return null; // unreadable: neither parse nor remove
    if (look === "missing") return rel === "" ? null : { kind: "gone", rel, ours };
    if (!look.isDirectory()) return rel === "" ? null : { kind: "file", rel, stat: look, ours };
    const below: WalkEntry[] = [];
    const unreadable: string[] = [];
    try {
      for (const e of this.walk(rel, { onError: (dir) => unreadable.push(`${dir}/`) })) below.push(e);
    } catch (error) {
      this.#log.warn("music_dir: cannot read folder, leaving what is below it alone", { path: rel, error: String(error) });
      return null;
    }
    return { kind: "folder", rel, stat: look, below, unreadable, trusted: this.rootIsOurs(), ours };
  }

  #wakeIfQuiet(): void {
    if (this.#settle.size > 0) return;
    for (const resolve of this.#quietWaiters.splice(0)) resolve();
  }
}


/**
 * The recursive fs.watch on music_dir (Bun supports `recursive` on Linux via
 * inotify and adds watches for folders created or moved in later). Every
 * event becomes a debounced enqueue; the queue finds out by stat whether the
 * path is a file, a folder (synced as a subtree) or gone. A rename of a folder
 * arrives as events on both names. If watching fails (ENOSPC: the inotify
 * watch limit; EMFILE) it logs a warning and reports the failure so the
 * library falls back to frequent reconciles; it never throws.
 */
import { watch, type FSWatcher } from "node:fs";
import { isWorkPath } from "../music-dir.ts";
import type { Log } from "./log.ts";
import type { SyncQueue } from "./sync-queue.ts";

export type WatchFn = (
  dir: string,
  options: { recursive: true; encoding: "utf8" },
  listener: (event: string, filename: string | null) => void,
) => FSWatcher;

export interface WatcherOptions {
  musicDir: string;
  queue: SyncQueue;
  log: Log;
  /** Called once when watching stops working. */
  onFailure: (error: Error) => void;
  /** Tests replace it to simulate ENOSPC; defaults to node:fs watch. */
  watchFn?: WatchFn;
}

export class LibraryWatcher {
  #watcher: FSWatcher | null = null;
  #failures = 0;

  constructor(private readonly options: WatcherOptions) {}

  get active(): boolean {
    return this.#watcher !== null;
  }

  /** Returns whether music_dir is now being watched. */
  start(): boolean {
    if (this.#watcher) return true;
    const { musicDir, queue, log } = this.options;
    const watchFn = this.options.watchFn ?? (watch as unknown as WatchFn);
    try {
      this.#watcher = watchFn(musicDir, { recursive: true, encoding: "utf8" }, (_event, filename) => {
        if (filename === null || filename === "") return queue.enqueueTree("");
        if (!isWorkPath(filename)) queue.enqueue(filename);
      });
    } catch (error) {
      this.#fail(error as Error);
      return false;
    }
    this.#watcher.on("error", (error) => this.#fail(error));
    log.debug("library: watching music_dir", { musicDir });
    return true;
  }

  stop(): void {
    const w = this.#watcher;
    this.#watcher = null;
    try {
      w?.close();
    } catch {
      // closing a watcher that already failed
    }
  }

  #fail(error: Error): void {
    this.stop();
    const code = (error as NodeJS.ErrnoException).code;
    const hint =
      code === "ENOSPC"
        ? " (inotify watch limit reached: raise fs.inotify.max_user_watches)"
        : code === "EMFILE"
          ? " (too many open files: raise the open-file limit)"
          : "";
    // Warn once; the backstop retries every tick and would otherwise repeat it.
    const level = this.#failures++ === 0 ? "warn" : "debug";
    this.options.log[level](`library: cannot watch music_dir${hint}; falling back to periodic reconcile`, {
      musicDir: this.options.musicDir,
      error: String(error),
    });
    this.options.onFailure(error);
  }
}

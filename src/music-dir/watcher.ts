/**
 * The recursive fs.watch on music_dir (Bun supports `recursive` on Linux via
 * inotify and adds watches for folders created or moved in later). Every
 * event names a path that may have changed; whoever listens finds out by stat
 * whether it is a file, a folder or gone. A rename of a folder arrives as
 * events on both names; an event without a name stands for all of music_dir
 * (""). If watching fails (ENOSPC: the inotify watch limit; EMFILE) it logs a
 * warning and reports the failure so the caller can fall back to frequent
 * reconciles; it never throws.
 */
import { watch, type FSWatcher } from "node:fs";
import type { Log } from "./log.ts";
import { isWorkPath } from "./work-dir.ts";

export type WatchFn = (
  dir: string,
  options: { recursive: true; encoding: "utf8" },
  listener: (event: string, filename: string | null) => void,
) => FSWatcher;

export interface WatcherOptions {
  musicDir: string;
  /** A path relative to music_dir may have changed ("" is music_dir itself). Never our working folder. */
  onPath: (rel: string) => void;
  log: Log;
  /** Called once when watching stops working. */
  onFailure: (error: Error) => void;
  /** Tests replace it to simulate ENOSPC; defaults to node:fs watch. */
  watchFn?: WatchFn;
}

export class FolderWatcher {
  #watcher: FSWatcher | null = null;
  #failures = 0;

  constructor(private readonly options: WatcherOptions) {}

  get active(): boolean {
    return this.#watcher !== null;
  }

  /** Returns whether music_dir is now being watched. */
  start(): boolean {
    if (this.#watcher) return true;
    const { musicDir, onPath, log } = this.options;
    const watchFn = this.options.watchFn ?? (watch as unknown as WatchFn);
    try {
      this.#watcher = watchFn(musicDir, { recursive: true, encoding: "utf8" }, (_event, filename) => {
        if (filename === null || filename === "") return onPath("");
        if (!isWorkPath(filename)) onPath(filename);
      });
    } catch (error) {
      this.#fail(error as Error);
      return false;
    }
    this.#watcher.on("error", (error) => this.#fail(error));
    log.debug("watcher: watching music_dir", { musicDir });
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
    this.options.log[level](`watcher: cannot watch music_dir${hint}; falling back to periodic reconcile`, {
      musicDir: this.options.musicDir,
      error: String(error),
    });
    this.options.onFailure(error);
  }
}

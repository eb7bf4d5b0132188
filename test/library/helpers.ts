/** Shared by the library tests: temp music dirs, real SQLite files, polling. */
import { mkdtempSync, rmSync, mkdirSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { createLibrary, type Library, type LibraryOptions, type Log } from "../../src/library/index.ts";

/** Polls until a condition holds (never a fixed sleep); shared with the server tests. */
export { waitFor } from "../helpers/server.ts";

export const AUDIO_FIXTURES = join(import.meta.dir, "..", "fixtures", "audio");
export const fixture = (name: string) => join(AUDIO_FIXTURES, name);

/** Runs a real shell tool (cp, mv, rm) so the watcher sees what any other program would do. */
export function sh(...argv: string[]): void {
  const r = Bun.spawnSync(argv, { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr.toString()}`);
}

export function place(musicDir: string, rel: string, fixtureName: string): string {
  const dest = join(musicDir, rel);
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(fixture(fixtureName), dest);
  return dest;
}

export class MemoryLog implements Log {
  readonly lines: { level: string; message: string }[] = [];
  debug(message: string) { this.lines.push({ level: "debug", message }); }
  info(message: string) { this.lines.push({ level: "info", message }); }
  warn(message: string) { this.lines.push({ level: "warn", message }); }
  error(message: string) { this.lines.push({ level: "error", message }); }
  has(level: string, pattern: RegExp): boolean {
    return this.lines.some((l) => l.level === level && pattern.test(l.message));
  }
}

/** A temp folder with music/ and a library database; `await using` removes it. */
export class TempLibrary implements AsyncDisposable {
  readonly root = mkdtempSync(join(tmpdir(), "rockboxd-s3-lib-"));
  readonly musicDir = join(this.root, "music");
  readonly dbPath = join(this.root, "db", "library.db");
  readonly log = new MemoryLog();
  db: Database;
  library: Library | null = null;

  constructor() {
    mkdirSync(this.musicDir);
    this.db = openDatabase(this.dbPath);
  }

  open(options: Partial<LibraryOptions> = {}): Library {
    this.library = createLibrary({ db: this.db, musicDir: this.musicDir, log: this.log, debounceMs: 50, ...options });
    return this.library;
  }

  /** Stops the library and reopens the database, as a restart would. */
  async restart(options: Partial<LibraryOptions> = {}): Promise<Library> {
    await this.library?.close();
    this.db.close();
    this.db = openDatabase(this.dbPath);
    return this.open(options);
  }

  track(rel: string) {
    return this.library!.queries.trackByRel(rel);
  }

  count(table: string): number {
    return (this.db.query(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.library?.close();
    this.db.close();
    rmSync(this.root, { recursive: true, force: true });
  }
}

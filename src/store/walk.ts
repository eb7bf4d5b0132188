/**
 * A stat-only walk of music_dir: every file and folder, skipping our working
 * folder. Throws if music_dir itself cannot be read, so that callers never
 * mistake an unmounted share for an empty one.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { isWorkPath } from "./layout.ts";

export interface WalkEntry {
  rel: string;
  isDir: boolean;
  size: number;
  mtimeMs: number;
  ino: number;
  /** Folders only: true when it holds nothing (besides our working folder). */
  empty: boolean;
}

export function* walk(root: string, onError: (rel: string, e: Error) => void = () => {}): Generator<WalkEntry> {
  // The top is read outside the try: a missing or unreadable root must throw.
  const stack: Array<{ rel: string; names: string[] }> = [{ rel: "", names: readdirSync(root) }];
  while (stack.length > 0) {
    const { rel: dirRel, names } = stack.pop()!;
    for (const name of names) {
      const rel = dirRel ? `${dirRel}/${name}` : name;
      if (isWorkPath(rel)) continue;
      try {
        const st = statSync(join(root, rel));
        if (st.isDirectory()) {
          const children = readdirSync(join(root, rel));
          yield { rel, isDir: true, size: 0, mtimeMs: st.mtimeMs, ino: st.ino, empty: children.length === 0 };
          stack.push({ rel, names: children });
        } else if (st.isFile()) {
          yield { rel, isDir: false, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, empty: false };
        }
      } catch (e) {
        onError(rel, e as Error);
      }
    }
  }
}

/**
 * The walk yields in UTF-8 byte order of its keys (a file's rel, a folder's
 * rel + "/"), which is the order SQLite's BINARY collation gives the same
 * strings: the library and the object index merge the walk with their
 * tables read page by page in that order. The names are chosen where
 * JavaScript's UTF-16 order and byte order disagree, and where a folder's
 * "/" sorts after a space or a dot.
 */
import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { walkTree } from "../../src/music-dir/index.ts";
import { compareUtf8 } from "../../src/text/utf8-order.ts";

const FILES = [
  "\uFFFD.mp3", // U+FFFD: one UTF-16 unit above every surrogate, but below U+1F600 in code points
  "😀.mp3",
  "Z.mp3", // "Z" < "a"
  "a.mp3", // a file "a.mp3" before the folder "a" ("." < "/")
  "a/x.mp3",
  "a/\uFFFD/y.mp3",
  "a/😀/y.mp3",
  "a b/x.mp3", // the folder "a b" before the folder "a" (" " < "/")
  "a-b/x.mp3",
  "a0.mp3", // after the folder "a" ("0" > "/")
  "\uFFFD/z.mp3",
  "😀/z.mp3",
  "a/b c/d.mp3",
  "a/b/d.mp3",
  "a/b.mp3",
];
const EMPTY_FOLDERS = ["a/e", "e"];

test("the walk yields files and folders in UTF-8 byte order of rel (files) and rel + \"/\" (folders), as SQLite orders them", () => {
  const root = mkdtempSync(join(tmpdir(), "rockboxd-s3-walk-"));
  try {
    for (const rel of FILES) {
      mkdirSync(join(root, rel, ".."), { recursive: true });
      writeFileSync(join(root, rel), "x");
    }
    for (const rel of EMPTY_FOLDERS) mkdirSync(join(root, rel), { recursive: true });
    writeFileSync(join(root, "a", "cover.jpg"), "x");

    const order: string[] = [];
    for (const e of walkTree(root, "", { onOther: (dir, name) => order.push(`other ${dir}|${name}`) })) {
      order.push(e.isDir ? `${e.rel}/` : e.rel);
    }
    const keys = order.filter((k) => !k.startsWith("other "));

    const folders = new Set<string>(EMPTY_FOLDERS.map((f) => `${f}/`));
    for (const rel of FILES) for (let i = rel.indexOf("/"); i !== -1; i = rel.indexOf("/", i + 1)) folders.add(rel.slice(0, i + 1));
    const expected = [...FILES, ...folders].sort(compareUtf8);
    expect(keys).toEqual(expected);

    const db = new Database(":memory:");
    db.exec("CREATE TABLE k (key TEXT PRIMARY KEY)");
    const insert = db.query("INSERT INTO k VALUES (?)");
    for (const k of [...expected].reverse()) insert.run(k);
    expect(db.query<{ key: string }, []>("SELECT key FROM k ORDER BY key").all().map((r) => r.key)).toEqual(keys);
    db.close();

    // The names do tell the orders apart: JavaScript's own sort gets them wrong.
    expect([...expected].sort()).not.toEqual(expected);
    // A folder's other files come right after its own entry, before anything in it.
    expect(order.slice(order.indexOf("a/"), order.indexOf("a/") + 2)).toEqual(["a/", "other a|cover.jpg"]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a walk of a subtree is in the same order, below the start only", () => {
  const root = mkdtempSync(join(tmpdir(), "rockboxd-s3-walk-"));
  try {
    for (const rel of ["a/😀.mp3", "a/\uFFFD.mp3", "a/b c/x.mp3", "a/b/x.mp3", "b.mp3"]) {
      mkdirSync(join(root, rel, ".."), { recursive: true });
      writeFileSync(join(root, rel), "x");
    }
    const keys = [...walkTree(root, "a")].map((e) => (e.isDir ? `${e.rel}/` : e.rel));
    expect(keys).toEqual(["a/b c/", "a/b c/x.mp3", "a/b/", "a/b/x.mp3", "a/\uFFFD.mp3", "a/😀.mp3"]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

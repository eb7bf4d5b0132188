/**
 * listPage over a real ObjectIndex on an in-memory database: the delimiter
 * roll-up, UTF-8 byte order (what S3 lists in), truncation and `after`.
 */
import { describe, expect, test } from "bun:test";
import { openDatabase } from "../../src/db/database.ts";
import { type ListQuery, listPage } from "../../src/store/listing.ts";
import { ObjectIndex } from "../../src/store/object-index.ts";

function indexOf(keys: string[]): ObjectIndex {
  const index = new ObjectIndex(openDatabase(":memory:"));
  keys.forEach((key, i) => index.put({ key, size: i, mtimeMs: 1_700_000_000_000, ino: i + 1, etag: `"e${i}"`, etagProvisional: false, contentType: null, meta: null, checksums: null }));
  return index;
}

const query = (q: Partial<ListQuery>): ListQuery => ({ prefix: "", delimiter: "", maxKeys: 1000, after: "", ...q });
const keysOf = (index: ObjectIndex, q: Partial<ListQuery>) => {
  const page = listPage(index, query(q));
  return { keys: page.objects.map((o) => o.key), prefixes: page.commonPrefixes, truncated: page.isTruncated, last: page.last };
};

// U+FF21 (EF BC A1) sorts after U+1F3B5 (F0 9F 8E B5) in UTF-16 but before it in UTF-8.
const KEYS = ["a.flac", "b/1.flac", "b/2.flac", "b/c/3.flac", "c.flac", "\u{1F3B5}.flac", "\uFF21.flac", "é/x.flac"];

describe("listPage", () => {
  test("without a delimiter: every key, in UTF-8 byte order", () => {
    const bytes = (s: string) => Buffer.from(s);
    const want = [...KEYS].sort((x, y) => Buffer.compare(bytes(x), bytes(y)));
    expect(want.indexOf("\uFF21.flac")).toBeLessThan(want.indexOf("\u{1F3B5}.flac"));
    expect(keysOf(indexOf(KEYS), {})).toEqual({ keys: want, prefixes: [], truncated: false, last: want.at(-1)! });
  });

  test("a delimiter rolls a folder up into one common prefix, in order among the keys", () => {
    expect(keysOf(indexOf(KEYS), { delimiter: "/" })).toEqual({
      keys: ["a.flac", "c.flac", "\uFF21.flac", "\u{1F3B5}.flac"],
      prefixes: ["b/", "é/"],
      truncated: false,
      last: "\u{1F3B5}.flac",
    });
  });

  test("prefix and delimiter: the folder's own keys and its sub-folders", () => {
    expect(keysOf(indexOf(KEYS), { prefix: "b/", delimiter: "/" })).toEqual({ keys: ["b/1.flac", "b/2.flac"], prefixes: ["b/c/"], truncated: false, last: "b/c/" });
  });

  test("maxKeys counts keys and common prefixes together; the page says where it stopped", () => {
    expect(keysOf(indexOf(KEYS), { delimiter: "/", maxKeys: 2 })).toEqual({ keys: ["a.flac"], prefixes: ["b/"], truncated: true, last: "b/" });
  });

  test("`after` a common prefix resumes past the whole folder", () => {
    expect(keysOf(indexOf(KEYS), { delimiter: "/", maxKeys: 2, after: "b/" })).toEqual({ keys: ["c.flac"], prefixes: ["é/"], truncated: true, last: "é/" });
  });

  test("`after` a key: only keys after it, in byte order", () => {
    expect(keysOf(indexOf(KEYS), { after: "b/2.flac" }).keys).toEqual(["b/c/3.flac", "c.flac", "é/x.flac", "\uFF21.flac", "\u{1F3B5}.flac"]);
  });

  test("a multi-character delimiter", () => {
    expect(keysOf(indexOf(["x--1", "x--2", "y"]), { delimiter: "--" })).toEqual({ keys: ["y"], prefixes: ["x--"], truncated: false, last: "y" });
  });

  test("maxKeys 0: an empty page, truncated when there is anything", () => {
    expect(keysOf(indexOf(KEYS), { maxKeys: 0 })).toEqual({ keys: [], prefixes: [], truncated: true, last: null });
    expect(keysOf(indexOf([]), { maxKeys: 0 })).toEqual({ keys: [], prefixes: [], truncated: false, last: null });
  });

  test("walking page by page with `after` = last sees every key once", () => {
    const index = indexOf(KEYS);
    const seen: string[] = [];
    let after = "";
    for (;;) {
      const page = listPage(index, query({ maxKeys: 3, after }));
      seen.push(...page.objects.map((o) => o.key));
      if (!page.isTruncated) break;
      after = page.last!;
    }
    expect(seen).toEqual(keysOf(index, {}).keys);
  });
});

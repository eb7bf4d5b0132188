/**
 * One page of a listing, read from the object index. With a delimiter, a run
 * of keys that roll up into one common prefix is skipped with one seek, so a
 * page costs time in proportion to the page, not to the bucket.
 */
import { compareUtf8 } from "../text/utf8-order.ts";
import { type ObjectIndex, type ObjectRow, prefixEnd } from "./object-index.ts";

export interface ListQuery {
  prefix: string;
  delimiter: string;
  maxKeys: number;
  /** Exclusive: only keys and common prefixes after this (start-after, token, marker). */
  after: string;
}

export interface ListPage {
  objects: ObjectRow[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last key or common prefix returned: where the next page starts. */
  last: string | null;
}

type Entry = { object: ObjectRow } | { prefix: string };

export function listPage(index: ObjectIndex, q: ListQuery): ListPage {
  const end = q.prefix === "" ? null : prefixEnd(q.prefix);
  const want = q.maxKeys + 1;
  const entries: Entry[] = [];
  let from = q.prefix;
  let after = q.after;
  scan: while (entries.length < want) {
    const rows = index.range(after, from, end, want - entries.length);
    if (rows.length === 0) break;
    for (const row of rows) {
      after = row.key;
      const cut = q.delimiter ? row.key.indexOf(q.delimiter, q.prefix.length) : -1;
      if (cut < 0) {
        entries.push({ object: row });
        continue;
      }
      const prefix = row.key.slice(0, cut + q.delimiter.length);
      // "CommonPrefixes is filtered out from results if it is not
      // lexicographically greater than the StartAfter value" (ListObjectsV2,
      // Delimiter): a start-after or marker inside a folder hides the folder
      // and its keys, and a token that is a common prefix resumes after it.
      if (compareUtf8(prefix, q.after) > 0) entries.push({ prefix });
      const next = prefixEnd(prefix);
      if (next === null) break scan;
      from = next;
      continue scan;
    }
  }
  const isTruncated = entries.length > q.maxKeys;
  const page = entries.slice(0, q.maxKeys);
  const lastEntry = page.at(-1);
  return {
    objects: page.flatMap((e) => ("object" in e ? [e.object] : [])),
    commonPrefixes: page.flatMap((e) => ("prefix" in e ? [e.prefix] : [])),
    isTruncated,
    last: lastEntry === undefined ? null : "object" in lastEntry ? lastEntry.object.key : lastEntry.prefix,
  };
}

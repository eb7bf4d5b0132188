/**
 * A table's rows in key order (SQLite's BINARY collation: UTF-8 byte order),
 * fetched a page at a time with keyset pagination (`WHERE key > ? ORDER BY
 * key LIMIT ?`), so that a walk of music_dir, which yields in the same order,
 * can be merged with them holding one page, not the whole table: at 100k
 * tracks, one map of every row cost ~19 MB of heap at startup, and the pages
 * the collector freed afterwards were not all given back. Each row is a
 * `.values()` array whose first column is its key (arrays, not objects: a
 * third of the read time at 100k rows).
 *
 * The library and the object index each keep one (both may import db).
 */
import { compareUtf8 } from "../text/utf8-order.ts";

export type KeyedRow = readonly [string, ...unknown[]];

/** Rows after `after`, in key order, at most `limit` of them. */
export type PageReader<Row extends KeyedRow> = (after: string, limit: number) => Row[];

/** Rows per page: big enough that the per-query cost vanishes, small enough to be a few hundred KB. */
export const KEY_PAGE = 1000;

export class KeyCursor<Row extends KeyedRow> {
  #page: Row[] = [];
  #at = 0;
  #after: string;
  #last = false;

  /**
   * Reads start after `after` (the rows sorting after it). Pages are fetched
   * as the cursor advances, so a row written meanwhile may or may not show
   * up: a caller must look at the disk before it removes what a row says.
   */
  constructor(
    private readonly read: PageReader<Row>,
    after = "",
    private readonly pageSize = KEY_PAGE,
  ) {
    this.#after = after;
  }

  /** The next row, not taken. */
  peek(): Row | undefined {
    if (this.#at === this.#page.length) {
      if (this.#last) {
        this.#page = [];
        this.#at = 0;
        return undefined;
      }
      this.#page = this.read(this.#after, this.pageSize);
      this.#at = 0;
      this.#last = this.#page.length < this.pageSize;
      if (this.#page.length === 0) return undefined;
      this.#after = this.#page[this.#page.length - 1]![0];
    }
    return this.#page[this.#at];
  }

  /** Takes the next row. */
  next(): Row | undefined {
    const row = this.peek();
    if (row !== undefined) this.#at++;
    return row;
  }

  /** Takes every row whose key sorts before `key`, handing each to `each`. */
  skipBelow(key: string, each: (row: Row) => void): void {
    for (let row = this.peek(); row !== undefined && row[0] !== key && compareUtf8(row[0], key) < 0; row = this.peek()) {
      this.#at++;
      each(row);
    }
  }

  /** Takes the next row if its key is `key`. */
  take(key: string): Row | undefined {
    const row = this.peek();
    if (row === undefined || row[0] !== key) return undefined;
    this.#at++;
    return row;
  }

  /** Takes every row left, handing each to `each`. */
  rest(each: (row: Row) => void): void {
    for (let row = this.next(); row !== undefined; row = this.next()) each(row);
  }
}

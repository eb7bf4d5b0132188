/**
 * UTF-8 byte order, which is code point order: S3 sorts keys in it, SQLite's
 * BINARY collation compares UTF-8 text in it, and the music_dir walk yields
 * in it (so a walk and an `ORDER BY` can be merged). JavaScript compares
 * UTF-16 code units, which differs only where a surrogate (a code point
 * above U+FFFF) meets a unit in U+E000–U+FFFF; fix up that one case.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

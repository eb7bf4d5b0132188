import type { Migration } from "./index.ts";

/**
 * An album's tracks in playing order straight from an index, with their
 * lengths. The console's album page asks for 200 tracks of an album in
 * (disc, track, path) order plus the album's track count and total length;
 * with only an index on album_id, SQLite read every track of the album and
 * sorted them. Untagged files all land in "Unknown Album", and the bench's
 * 100,000 tracks are one album: that page took 80+ ms of queries (129 ms to
 * headers). With this index, LIMIT 200 reads 200 entries and count/sum scan
 * the index alone: ~11 ms. It starts with album_id, so it also serves what
 * track_album_id did (album deletes, the albums grid's counts).
 */
export const albumOrder: Migration = {
  version: 5,
  name: "album order",
  sql: `
    CREATE INDEX track_album_order ON track (album_id, disc_number, track_number, rel_path, length);
    DROP INDEX track_album_id;
  `,
};

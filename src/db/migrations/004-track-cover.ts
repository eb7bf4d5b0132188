import type { Migration } from "./index.ts";

/**
 * Where a track's cover is (SPEC §7: recorded for the console, read only on
 * demand), set when the track is parsed. NULL in both: a row from before
 * this migration, not known yet — the console then looks on disk.
 * `cover_embedded`: 1 when the file holds a picture. `cover_image`: the
 * name of the cover/folder/front image beside the file, '' when none.
 */
export const trackCover: Migration = {
  version: 4,
  name: "track cover",
  sql: `
    ALTER TABLE track ADD COLUMN cover_embedded INTEGER;
    ALTER TABLE track ADD COLUMN cover_image TEXT;
  `,
};

/**
 * Albums, artists and genres: found or created by name, and removed once no
 * track uses them. Callers run inside the store's write transaction.
 */
import type { Database } from "bun:sqlite";

/** Rows that may have lost their last track in this batch. */
export class OrphanCandidates {
  readonly albums = new Set<number>();
  readonly artists = new Set<number>();
  readonly genres = new Set<number>();

  add(kind: "albums" | "artists" | "genres", id: number | null | undefined): void {
    if (id != null) this[kind].add(id);
  }
}

/** One call, no hasher object per track for the collector (a scan makes two per file). */
export function md5Hex(text: string): string {
  return Bun.CryptoHasher.hash("md5", text, "hex");
}

export class Catalog {
  readonly #artistByName;
  readonly #insertArtist;
  readonly #genreByName;
  readonly #insertGenre;
  readonly #albumByMd5;
  readonly #insertAlbum;
  readonly #setAlbumYear;
  readonly #pruneAlbum;
  readonly #pruneArtist;
  readonly #pruneGenre;

  constructor(private readonly db: Database) {
    this.#artistByName = db.query<{ id: number }, [string]>("SELECT id FROM artist WHERE name = ?");
    this.#insertArtist = db.query<{ id: number }, [string]>("INSERT INTO artist (name) VALUES (?) RETURNING id");
    this.#genreByName = db.query<{ id: number }, [string]>("SELECT id FROM genre WHERE name = ?");
    this.#insertGenre = db.query<{ id: number }, [string]>("INSERT INTO genre (name) VALUES (?) RETURNING id");
    this.#albumByMd5 = db.query<{ id: number; year: number | null }, [string]>("SELECT id, year FROM album WHERE md5 = ?");
    this.#insertAlbum = db.query<{ id: number }, [string, string, number | null, string | null, string, number]>(
      "INSERT INTO album (title, artist, year, year_string, md5, artist_id) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    );
    this.#setAlbumYear = db.query<never, [number, string | null, number]>(
      "UPDATE album SET year = ?, year_string = ? WHERE id = ?",
    );
    this.#pruneAlbum = db.query<{ artist_id: number | null }, [number]>(
      "DELETE FROM album WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM album_tracks WHERE album_id = ?1) RETURNING artist_id",
    );
    this.#pruneArtist = db.query<never, [number]>(
      `DELETE FROM artist WHERE id = ?1
         AND NOT EXISTS (SELECT 1 FROM artist_tracks WHERE artist_id = ?1)
         AND NOT EXISTS (SELECT 1 FROM album WHERE artist_id = ?1)`,
    );
    this.#pruneGenre = db.query<never, [number]>(
      "DELETE FROM genre WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM track WHERE genre_id = ?1)",
    );
  }

  artistId(name: string): number {
    return (this.#artistByName.get(name) ?? this.#insertArtist.get(name)!).id;
  }

  genreId(name: string): number {
    return (this.#genreByName.get(name) ?? this.#insertGenre.get(name)!).id;
  }

  /** The album (title, album artist); its year is the first one a track gives it. */
  albumId(title: string, artist: string, artistId: number, year: number | null, yearString: string | null): number {
    const md5 = md5Hex(`${artist}\0${title}`);
    const found = this.#albumByMd5.get(md5);
    if (!found) return this.#insertAlbum.get(title, artist, year, yearString, md5, artistId)!.id;
    if (found.year == null && year != null) this.#setAlbumYear.run(year, yearString, found.id);
    return found.id;
  }

  /** Removes the candidates that have no track left (albums first: they hold artists). */
  prune(candidates: OrphanCandidates): void {
    for (const id of candidates.albums) {
      const gone = this.#pruneAlbum.get(id);
      if (gone?.artist_id != null) candidates.artists.add(gone.artist_id);
    }
    for (const id of candidates.artists) this.#pruneArtist.run(id);
    for (const id of candidates.genres) this.#pruneGenre.run(id);
  }

  /** The same for every row; after a full reconcile, and a repair for anything missed. */
  pruneAll(): void {
    this.db.run("DELETE FROM album WHERE NOT EXISTS (SELECT 1 FROM album_tracks WHERE album_id = album.id)");
    this.db.run(`DELETE FROM artist
      WHERE NOT EXISTS (SELECT 1 FROM artist_tracks WHERE artist_id = artist.id)
        AND NOT EXISTS (SELECT 1 FROM album WHERE artist_id = artist.id)`);
    this.db.run("DELETE FROM genre WHERE NOT EXISTS (SELECT 1 FROM track WHERE genre_id = genre.id)");
  }
}

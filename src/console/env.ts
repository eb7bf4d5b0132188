/** What the console is given (main.ts wires the real store and library) and what its routes share. */
import type { CoverImage, CoverSource, LibraryQueries } from "../library/index.ts";
import type { Logger } from "../log.ts";
import type { Bucket } from "../store/bucket.ts";
import type { Multipart } from "../store/multipart/multipart.ts";
import type { Revocations, Session } from "./session.ts";

/** The store functions S3's handlers call (http/services.ts), no others: one write path. */
export type ConsoleBucket = Pick<Bucket, "head" | "open" | "put" | "delete" | "deleteMany" | "list">;
export type ConsoleMultipart = Pick<Multipart, "create" | "uploadPart" | "complete" | "abort">;
export type ConsoleLibrary = Pick<LibraryQueries, "stats" | "counts" | "albumsPage" | "album" | "albumTracks" | "artistsPage" | "searchWithAlbums"> & {
  /** An album's cover, found by stat; read only with `read`. */
  cover(albumId: number): CoverSource | null;
  readCover(source: CoverSource): Promise<CoverImage | null>;
};

export interface SyncState {
  /** Paths waiting to be parsed. */
  queued: number;
  /** true: the recursive watcher runs; false: polling by periodic reconcile. */
  watching: boolean;
  /** The periodic reconcile's interval. */
  backstopMs: number;
  /** When the last reconcile walk finished (ms), null before the first. */
  lastReconcileMs: number | null;
}

export interface ConsoleOptions {
  credentials: { accessKey: string; secretKey: string };
  /** Signed-out sessions, kept across restarts. */
  revocations: Revocations;
  bucket: ConsoleBucket;
  multipart: ConsoleMultipart;
  library: ConsoleLibrary;
  sync: () => SyncState;
  musicDir: string;
  version: string;
  /** Client setup text for an endpoint (the same as `init` prints). */
  snippets: (endpoint: string, accessKey: string, secretKey: string) => string;
  log: Logger;
}

export type ConsoleEnv = {
  Bindings: { address: string | null };
  Variables: { session: Session };
};

import { objectIndex } from "./001-object-index.ts";
import { library } from "./002-library.ts";
import { consoleRevocations } from "./003-console-revocations.ts";
import { trackCover } from "./004-track-cover.ts";
import { albumOrder } from "./005-album-order.ts";

export interface Migration {
  /** Numbered from 1 without gaps; stored in PRAGMA user_version. */
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [objectIndex, library, consoleRevocations, trackCover, albumOrder];

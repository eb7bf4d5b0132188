/** The Status view: library counts, sync state, free space, version. */
import type { LibraryStats } from "../../library/index.ts";
import type { SyncState } from "../env.ts";
import { bytes, duration } from "./format.ts";

export function StatusView(props: { stats: LibraryStats; sync: SyncState; freeBytes: number | null; musicDir: string; version: string }) {
  const { stats, sync } = props;
  const last = sync.lastReconcileMs === null ? "not yet" : new Date(sync.lastReconcileMs).toISOString().replace("T", " ").slice(0, 19) + " UTC";
  return (
    <section class="status">
      <h1>Status</h1>
      <dl class="facts">
        <dt>Tracks</dt>
        <dd id="count-tracks">{String(stats.tracks)}</dd>
        <dt>Albums</dt>
        <dd id="count-albums">{String(stats.albums)}</dd>
        <dt>Artists</dt>
        <dd id="count-artists">{String(stats.artists)}</dd>
        <dt>Play time</dt>
        <dd>{duration(stats.length)}</dd>
        <dt>Unreadable tags</dt>
        <dd>{String(stats.parse_errors)}</dd>
        <dt>Sync queue</dt>
        <dd>{`${sync.queued} waiting`}</dd>
        <dt>Following changes by</dt>
        <dd>{sync.watching ? "watching the folder" : `polling every ${Math.round(sync.backstopMs / 1000)} s`}</dd>
        <dt>Last reconcile</dt>
        <dd>{last}</dd>
        <dt>Music folder</dt>
        <dd>{props.musicDir}</dd>
        <dt>Free space</dt>
        <dd>{props.freeBytes === null ? "unknown" : bytes(props.freeBytes)}</dd>
        <dt>Version</dt>
        <dd>{`rockboxd-s3 ${props.version}`}</dd>
      </dl>
    </section>
  );
}

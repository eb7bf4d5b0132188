/** The Library view (SPEC §9): search as you type, the albums grid, the artists list, an album's tracks. */
import type { AlbumRow, ArtistRow, TrackRow } from "../../library/index.ts";
import { BASE } from "../routing.ts";
import { duration, streamUrl } from "./format.ts";
import { Pager } from "./layout.tsx";

export const ALBUMS_PER_PAGE = 48;
export const ARTISTS_PER_PAGE = 100;
/** An album page is paginated too: a folder of thousands of files is one "album" to the library. */
export const TRACKS_PER_PAGE = 200;

export function SearchBox(props: { q: string }) {
  return (
    <form role="search" action={`${BASE}/search`} class="search">
      <label for="q">Search</label>
      <input id="q" name="q" type="search" value={props.q} autocomplete="off" placeholder="Tracks, albums, artists" />
    </form>
  );
}

export function LibraryTabs(props: { current: "albums" | "artists" }) {
  return (
    <nav class="tabs" aria-label="Library">
      <a href={`${BASE}/`} aria-current={props.current === "albums" ? "page" : undefined}>Albums</a>
      <a href={`${BASE}/artists`} aria-current={props.current === "artists" ? "page" : undefined}>Artists</a>
    </nav>
  );
}

export function AlbumGrid(props: { albums: readonly AlbumRow[] }) {
  if (props.albums.length === 0) return <p class="empty">No albums yet. Upload some music.</p>;
  return (
    <ul class="albums" aria-label="Albums">
      {props.albums.map((a) => (
        <li>
          <a href={`${BASE}/albums/${a.id}`} class="album">
            <img src={`${BASE}/covers/${a.id}`} alt="" loading="lazy" width="180" height="180" />
            <span class="album-title">{a.title}</span>
            <span class="album-artist">{a.artist}</span>
            {a.year ? <span class="album-year">{String(a.year)}</span> : null}
          </a>
        </li>
      ))}
    </ul>
  );
}

export function AlbumsView(props: { albums: readonly AlbumRow[]; total: number; page: number; heading: string; pageHref: (p: number) => string }) {
  return (
    <>
      <SearchBox q="" />
      <LibraryTabs current="albums" />
      <section id="results" aria-live="polite"></section>
      <section id="library-albums" data-total={String(props.total)}>
        <h1>{props.heading}</h1>
        <AlbumGrid albums={props.albums} />
        <Pager page={props.page} size={ALBUMS_PER_PAGE} total={props.total} href={props.pageHref} />
      </section>
    </>
  );
}

export function ArtistsView(props: { artists: readonly (ArtistRow & { albums: number })[]; total: number; page: number }) {
  return (
    <>
      <SearchBox q="" />
      <LibraryTabs current="artists" />
      <section id="results" aria-live="polite"></section>
      <h1>Artists</h1>
      <ul class="artists">
        {props.artists.map((r) => (
          <li>
            <a href={`${BASE}/artists/${r.id}`}>{r.name}</a>
            <span class="muted">{` ${r.albums} albums · ${r.tracks} tracks`}</span>
          </li>
        ))}
      </ul>
      <Pager page={props.page} size={ARTISTS_PER_PAGE} total={props.total} href={(p) => `${BASE}/artists?page=${p}`} />
    </>
  );
}

export function TrackList(props: { tracks: readonly TrackRow[]; showAlbum?: boolean }) {
  return (
    <ol class="tracks">
      {props.tracks.map((t) => (
        <li>
          <span class="track-no">{t.track_number === null ? "" : String(t.track_number)}</span>
          <span class="track-title">{t.title}</span>
          {props.showAlbum ? <span class="track-album muted">{`${t.artist} — ${t.album}`}</span> : null}
          <span class="track-length">{duration(t.length)}</span>
          <button type="button" class="play" data-src={streamUrl(t.rel_path)} data-title={t.title} data-artist={t.artist}>
            Play
          </button>
        </li>
      ))}
    </ol>
  );
}

export function AlbumView(props: { album: AlbumRow; tracks: readonly TrackRow[]; page: number }) {
  const a = props.album;
  return (
    <article class="album-page">
      <img class="cover" src={`${BASE}/covers/${a.id}`} alt={`Cover of ${a.title}`} width="240" height="240" />
      <div>
        <h1>{a.title}</h1>
        <p class="album-artist">{a.artist}</p>
        <p class="muted">{[a.year ? String(a.year) : null, `${a.tracks} tracks`, duration(a.length)].filter(Boolean).join(" · ")}</p>
      </div>
      <TrackList tracks={props.tracks} />
      <Pager page={props.page} size={TRACKS_PER_PAGE} total={a.tracks} href={(p) => `${BASE}/albums/${a.id}?page=${p}`} />
    </article>
  );
}

/** What search-as-you-type swaps in; also the whole of /ui/search without script. */
export function SearchResults(props: { q: string; albums: readonly AlbumRow[]; tracks: readonly TrackRow[] }) {
  if (props.q.trim() === "") return <div id="results-body"></div>;
  return (
    <div id="results-body">
      <h2>{`Results for “${props.q}”`}</h2>
      {props.albums.length + props.tracks.length === 0 ? <p class="empty">Nothing matches.</p> : null}
      {props.albums.length > 0 ? <AlbumGrid albums={props.albums} /> : null}
      {props.tracks.length > 0 ? <TrackList tracks={props.tracks} showAlbum /> : null}
    </div>
  );
}

/** The frame of every signed-in view: navigation, the view, the player bar. */
import type { Child } from "hono/jsx";
import { BASE } from "../routing.ts";

export const VIEWS = [
  { name: "Library", href: `${BASE}/` },
  { name: "Upload", href: `${BASE}/upload` },
  { name: "Files", href: `${BASE}/files` },
  { name: "Connect", href: `${BASE}/connect` },
  { name: "Status", href: `${BASE}/status` },
] as const;
export type ViewName = (typeof VIEWS)[number]["name"];

export function Document(props: { title: string; scripts?: readonly string[]; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · rockboxd-s3`}</title>
        <link rel="stylesheet" href={`${BASE}/assets/console.css`} />
        <link rel="icon" href={`${BASE}/assets/icon.svg`} type="image/svg+xml" />
        {(props.scripts ?? []).map((s) => (
          <script src={`${BASE}/assets/${s}`} defer />
        ))}
      </head>
      <body>{props.children}</body>
    </html>
  );
}

export function Layout(props: { title: string; view: ViewName; csrf: string; scripts?: readonly string[]; children: Child }) {
  return (
    <Document title={props.title} scripts={["player.js", ...(props.scripts ?? [])]}>
      <header class="top">
        <span class="brand">rockboxd-s3</span>
        <nav aria-label="Views">
          {VIEWS.map((v) => (
            <a href={v.href} aria-current={v.name === props.view ? "page" : undefined}>
              {v.name}
            </a>
          ))}
        </nav>
        <form method="post" action={`${BASE}/api/sign-out`} class="sign-out">
          <input type="hidden" name="csrf" value={props.csrf} />
          <button type="submit">Sign out</button>
        </form>
      </header>
      <main id="main" data-csrf={props.csrf}>
        {props.children}
      </main>
      <PlayerBar />
    </Document>
  );
}

function PlayerBar() {
  return (
    <footer class="player" aria-label="Player">
      <audio id="audio" preload="none"></audio>
      <button type="button" id="player-prev" aria-label="Previous track" disabled>
        «
      </button>
      <button type="button" id="player-toggle" aria-label="Play or pause" disabled>
        ▶
      </button>
      <button type="button" id="player-next" aria-label="Next track" disabled>
        »
      </button>
      <div class="now-playing" aria-live="polite">
        <span id="now-title">Nothing playing</span>
        <span id="now-artist"></span>
      </div>
    </footer>
  );
}

/** Page links for a view of `total` items shown `size` at a time. */
export function Pager(props: { page: number; size: number; total: number; href: (page: number) => string }) {
  const last = Math.max(1, Math.ceil(props.total / props.size));
  if (last === 1) return null;
  return (
    <nav class="pager" aria-label="Pages">
      {props.page > 1 ? <a href={props.href(props.page - 1)}>Previous page</a> : null}
      <span>{`Page ${props.page} of ${last}`}</span>
      {props.page < last ? <a href={props.href(props.page + 1)}>Next page</a> : null}
    </nav>
  );
}

/**
 * `rockboxd-s3 library stats|tracks|albums|artists|search <text>`: reads the
 * library; a table for people by default, `--json` for machines.
 */
import { openDatabase } from "../db/database.ts";
import { LibraryQueries } from "../library/queries.ts";
import { bytes, duration } from "../library/format.ts";
import { HELP } from "./help.ts";
import type { LibraryPaths, Output } from "./scan.ts";

const COMMANDS = new Set(["stats", "tracks", "albums", "artists", "search"]);

/** Returns the exit code: 0, or 2 for a usage error (message on `err`). */
export function runLibrary(args: readonly string[], paths: LibraryPaths, out: Output = process.stdout, err: Output = process.stderr): number {
  const json = args.includes("--json");
  const rest = args.filter((a) => a !== "--json");
  const [command, ...words] = rest;
  const unknownFlag = rest.find((a) => a.startsWith("-"));
  if (!command || !COMMANDS.has(command) || unknownFlag || (command === "search" ? words.length === 0 : words.length > 0)) {
    const why = !command ? "missing command" : unknownFlag ? `unknown option ${unknownFlag}` : command === "search" && words.length === 0 ? "search needs text" : `unexpected ${COMMANDS.has(command) ? `argument ${words[0]}` : `command ${command}`}`;
    err.write(`rockboxd-s3 library: ${why}\n\n${HELP.library}\n`);
    return 2;
  }
  const db = openDatabase(paths.dbPath);
  try {
    const q = new LibraryQueries(db);
    const rows =
      command === "stats" ? q.stats()
      : command === "tracks" ? q.tracks()
      : command === "albums" ? q.albums()
      : command === "artists" ? q.artists()
      : q.search(words.join(" "));
    if (json) out.write(`${JSON.stringify(rows, null, 2)}\n`);
    else out.write(render(command, rows as unknown as Row | Row[]));
    return 0;
  } finally {
    db.close();
  }
}

type Row = Record<string, unknown>;

function render(command: string, rows: Row | Row[]): string {
  if (!Array.isArray(rows)) {
    const s = rows as Record<string, number>;
    return table([
      ["tracks", String(s.tracks)], ["albums", String(s.albums)], ["artists", String(s.artists)],
      ["genres", String(s.genres)], ["total time", duration(s.length ?? 0)], ["total size", bytes(s.filesize ?? 0)],
      ["unreadable tags", String(s.parse_errors)],
    ]);
  }
  if (rows.length === 0) return command === "search" ? "no matching tracks\n" : `no ${command}\n`;
  const columns: Record<string, [string, (r: Row) => string][]> = {
    tracks: [
      ["ID", (r) => String(r.id)], ["ARTIST", (r) => String(r.artist)], ["ALBUM", (r) => String(r.album)],
      ["#", (r) => (r.track_number == null ? "" : String(r.track_number))], ["TITLE", (r) => String(r.title)],
      ["TIME", (r) => duration(Number(r.length))], ["PATH", (r) => String(r.rel_path)],
    ],
    albums: [
      ["ID", (r) => String(r.id)], ["ARTIST", (r) => String(r.artist)], ["ALBUM", (r) => String(r.title)],
      ["YEAR", (r) => (r.year == null ? "" : String(r.year))], ["TRACKS", (r) => String(r.tracks)], ["TIME", (r) => duration(Number(r.length))],
    ],
    artists: [["ID", (r) => String(r.id)], ["ARTIST", (r) => String(r.name)], ["ALBUMS", (r) => String(r.albums)], ["TRACKS", (r) => String(r.tracks)]],
  };
  const cols = columns[command === "search" ? "tracks" : command]!;
  return table([cols.map(([h]) => h), ...rows.map((r) => cols.map(([, f]) => f(r)))]);
}

const MAX_CELL = 40;

/** Columns padded by display width (CJK counts double), long cells cut with "…". */
function table(rows: string[][]): string {
  const cells = rows.map((r) => r.map((c) => clip(c.replace(/\s+/g, " "))));
  const widths: number[] = [];
  for (const r of cells) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, Bun.stringWidth(c))));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c + " ".repeat(widths[i]! - Bun.stringWidth(c)))).join("  ")).join("\n") + "\n";
}

function clip(text: string): string {
  if (Bun.stringWidth(text) <= MAX_CELL) return text;
  let out = "";
  for (const ch of text) {
    if (Bun.stringWidth(out + ch) > MAX_CELL - 1) break;
    out += ch;
  }
  return `${out}…`;
}


/** --help texts, global and per command. */
const GLOBAL_OPTIONS = `Global options:
  --config FILE        settings file (default ~/.config/rockbox.org/settings.toml; env ROCKBOXD_S3_CONFIG)
  --music-dir DIR      the music folder served as bucket "music" (env ROCKBOX_LIBRARY; key music_dir)
  --db FILE            library database (default ~/.config/rockbox.org/rockboxd-s3.db; env ROCKBOXD_S3_DB)
  --host ADDR          listen address (env ROCKBOXD_S3_HOST; key s3_host; default 0.0.0.0)
  --port N             listen port (env ROCKBOXD_S3_PORT; key s3_port; default 9000)
  --log-level LEVEL    debug | info | warn | error (env ROCKBOXD_S3_LOG_LEVEL; default info)
  -h, --help           show help;  -V, --version  print the version
Precedence: flag > environment > settings file > default.`;

export const HELP: Record<string, string> = {
  main: `rockboxd-s3 — serve your music folder as the S3 bucket "music", with a SQLite music library kept in sync.

Usage: rockboxd-s3 [command] [options]

Commands:
  serve                 start the S3 server, library sync and watcher (the default)
  init [--music-dir D]  write a settings file with fresh credentials and print client snippets
  scan                  reconcile music_dir into the library once, then exit
  library stats|tracks|albums|artists|search <text> [--json]
                        read the library

${GLOBAL_OPTIONS}

Exit codes: 0 success, 2 usage error, 78 configuration error.`,
  serve: `Usage: rockboxd-s3 serve [options]

Starts the S3 server on s3_host:s3_port, the library sync and the filesystem
watcher; runs until SIGINT/SIGTERM, then finishes in-flight requests and closes
the database. With no settings file at all, creates one first (as \`init\`) and
prints the new credentials once.

${GLOBAL_OPTIONS}`,
  init: `Usage: rockboxd-s3 init [--music-dir DIR] [--config FILE]

Writes the settings file with s3_enabled = true and fresh random credentials
(mode 0600), then prints ready-to-paste awscli, rclone, mc and s3cmd snippets.
An existing settings file is never rewritten.

${GLOBAL_OPTIONS}`,
  scan: `Usage: rockboxd-s3 scan [options]

Reconciles music_dir into the library once (a progress bar on a terminal, a
summary line otherwise), then exits.

${GLOBAL_OPTIONS}`,
  library: `Usage: rockboxd-s3 library <command> [--json]

Reads the library: a readable table, or JSON with --json.

Commands:
  stats           counts of tracks, albums, artists, genres; total time and size
  tracks          every track
  albums          every album with its track count
  artists         every artist with album and track counts
  search <text>   tracks whose title, artist, album, genre or path match every word

${GLOBAL_OPTIONS}`,
};

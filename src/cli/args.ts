/** The command line: global options anywhere, then a command and its words. */
import { parseArgs } from "node:util";
import type { Flags } from "../config/config.ts";
import { UsageError } from "../config/errors.ts";

export interface Invocation {
  command: string;
  /** False when no command was named (serve is then the default). */
  named: boolean;
  words: string[];
  flags: Flags;
  help: boolean;
  version: boolean;
  json: boolean;
}

const OPTIONS = {
  config: { type: "string" },
  "music-dir": { type: "string" },
  db: { type: "string" },
  host: { type: "string" },
  port: { type: "string" },
  "log-level": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
} as const;

export function parseInvocation(argv: string[]): Invocation {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  const [command = "serve", ...words] = parsed.positionals;
  return {
    command,
    named: parsed.positionals.length > 0,
    words,
    help: v.help ?? false,
    version: v.version ?? false,
    json: v.json ?? false,
    flags: {
      config: v.config,
      musicDir: v["music-dir"],
      db: v.db,
      host: v.host,
      port: v.port,
      logLevel: v["log-level"],
    },
  };
}

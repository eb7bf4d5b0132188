/**
 * flags > environment > settings file > defaults → one validated Config.
 */
import { z } from "zod";
import { ANY_ORIGIN } from "./cors-origins.ts";
import { ConfigError } from "./errors.ts";
import { defaultConfigPath, defaultDbPath, expandPath } from "./paths.ts";
import type { Settings } from "./settings-file.ts";
import { type TlsFiles, tlsFromSettings } from "./tls.ts";

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Global options as given on the command line (all optional). */
export interface Flags {
  config?: string;
  musicDir?: string;
  db?: string;
  host?: string;
  port?: string;
  logLevel?: string;
}

export interface Config {
  configPath: string;
  musicDir: string;
  dbPath: string;
  host: string;
  port: number;
  logLevel: LogLevel;
  s3Enabled: boolean;
  accessKey: string;
  secretKey: string;
  /** Origins whose pages may call us (CORS); ["*"] for any. */
  corsOrigins: string[];
  /** Set → HTTPS on `port`. */
  tls: TlsFiles | null;
  /** The web console under /ui/ (SPEC §9). */
  console: boolean;
  /** Worker threads for upload hashes (src/s3/hash-pool.ts); 0: on the request's thread. */
  hashThreads: number;
}

/** Environment variables, by Config field. ROCKBOX_LIBRARY is upstream's name. */
export const ENV = {
  config: "ROCKBOXD_S3_CONFIG",
  musicDir: "ROCKBOX_LIBRARY",
  db: "ROCKBOXD_S3_DB",
  host: "ROCKBOXD_S3_HOST",
  port: "ROCKBOXD_S3_PORT",
  logLevel: "ROCKBOXD_S3_LOG_LEVEL",
  hashThreads: "ROCKBOXD_S3_HASH_THREADS",
} as const;

const portSchema = z.coerce.number().int().min(1).max(65535);
const logLevelSchema = z.enum(LOG_LEVELS);
export const MAX_HASH_THREADS = 8;
const hashThreadsSchema = z.coerce.number().int().min(0).max(MAX_HASH_THREADS);

function env(name: string): string | undefined {
  const v = process.env[name];
  return v === undefined || v === "" ? undefined : v;
}

export function resolveConfigPath(flags: Flags): string {
  return expandPath(flags.config ?? env(ENV.config) ?? defaultConfigPath());
}

export function buildConfig(flags: Flags, settings: Settings | null, configPath: string): Config {
  const portText = flags.port ?? env(ENV.port);
  let port = settings?.s3_port ?? 9000;
  if (portText !== undefined) {
    const parsed = portSchema.safeParse(portText);
    // Port 0 asks the OS for a free port: tests and benchmarks use it.
    if (portText === "0") port = 0;
    else if (!parsed.success)
      throw new ConfigError(`--port / ${ENV.port} must be a whole number from 1 to 65535, not '${portText}'.`);
    else port = parsed.data;
  }
  const levelText = flags.logLevel ?? env(ENV.logLevel) ?? "info";
  const level = logLevelSchema.safeParse(levelText);
  if (!level.success)
    throw new ConfigError(`--log-level / ${ENV.logLevel} must be one of ${LOG_LEVELS.join(", ")}, not '${levelText}'.`);
  const threadsText = env(ENV.hashThreads) ?? "0";
  const hashThreads = /^\d+$/.test(threadsText) ? hashThreadsSchema.safeParse(threadsText) : null;
  if (!hashThreads?.success)
    throw new ConfigError(`${ENV.hashThreads} must be a whole number from 0 to ${MAX_HASH_THREADS}, not '${threadsText}'.`);

  return {
    configPath,
    musicDir: expandPath(flags.musicDir ?? env(ENV.musicDir) ?? settings?.music_dir ?? "~/Music"),
    dbPath: expandPath(flags.db ?? env(ENV.db) ?? defaultDbPath()),
    host: flags.host ?? env(ENV.host) ?? settings?.s3_host ?? "0.0.0.0",
    port,
    logLevel: level.data,
    s3Enabled: settings?.s3_enabled ?? false,
    accessKey: settings?.s3_access_key ?? "",
    secretKey: settings?.s3_secret_key ?? "",
    corsOrigins: settings?.s3_cors_origins ?? [ANY_ORIGIN],
    tls: tlsFromSettings(settings),
    console: settings?.s3_console ?? true,
    hashThreads: hashThreads.data,
  };
}

/** Why `serve` cannot start the S3 server, with the fix; null when it can. */
export function s3DisabledReason(config: Config): string | null {
  const where = config.configPath;
  if (!config.s3Enabled)
    return `s3_enabled is false or missing in ${where}.\nFix: add the line  s3_enabled = true  to ${where}.`;
  if (!config.accessKey)
    return `s3_access_key is empty or missing in ${where}.\nFix: set s3_access_key = "…" in ${where}, or move the file away and run \`rockboxd-s3 init\` to create one with fresh credentials.`;
  if (!config.secretKey)
    return `s3_secret_key is empty or missing in ${where}.\nFix: set s3_secret_key = "…" in ${where}, or move the file away and run \`rockboxd-s3 init\` to create one with fresh credentials.`;
  return null;
}

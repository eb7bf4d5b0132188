/**
 * The shared Rockbox settings file (~/.config/rockbox.org/settings.toml).
 * rockboxd keeps many other keys there (audio_output, equalizer, ...): they
 * are ignored, never rejected. Ours are validated with zod.
 */
import { parse as parseToml } from "smol-toml";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { CORS_ORIGINS_HINT, corsOriginsSchema } from "./cors-origins.ts";
import { ConfigError } from "./errors.ts";

export const settingsSchema = z.looseObject({
  music_dir: z.string().optional(),
  s3_enabled: z.boolean().optional(),
  s3_port: z.number().int().min(1).max(65535).optional(),
  s3_host: z.string().min(1).optional(),
  s3_access_key: z.string().optional(),
  s3_secret_key: z.string().optional(),
  s3_cors_origins: corsOriginsSchema.optional(),
  s3_tls_cert: z.string().optional(),
  s3_tls_key: z.string().optional(),
  s3_console: z.boolean().optional(),
});

export type Settings = z.infer<typeof settingsSchema>;

const HINTS: Record<string, string> = {
  music_dir: 'a quoted path, e.g. music_dir = "~/Music"',
  s3_enabled: "true or false, without quotes",
  s3_port: "a whole number from 1 to 65535, without quotes, e.g. s3_port = 9000",
  s3_host: 'an address to listen on, e.g. s3_host = "0.0.0.0"',
  s3_access_key: "a quoted string",
  s3_secret_key: "a quoted string",
  s3_cors_origins: CORS_ORIGINS_HINT,
  s3_tls_cert: 'a quoted path to a PEM certificate, e.g. s3_tls_cert = "~/.config/rockbox.org/cert.pem"',
  s3_tls_key: 'a quoted path to its PEM private key, e.g. s3_tls_key = "~/.config/rockbox.org/key.pem"',
  s3_console: "true or false, without quotes (the web console under /ui/)",
};

/** Reads and validates the file; null when it does not exist. */
export function readSettings(path: string): Settings | null {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new ConfigError(`cannot read the settings file ${path}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (e) {
    throw new ConfigError(`${path} is not valid TOML: ${(e as Error).message}\nFix the syntax error, or move the file away to have a fresh one created.`);
  }
  const result = settingsSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = String(issue.path[0] ?? "");
    throw new ConfigError(
      `configuration key '${key}' in ${path} is invalid: ${issue.message}.\nFix: set ${key} to ${HINTS[key] ?? "a valid value"}.`,
    );
  }
  return result.data;
}

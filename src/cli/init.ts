/** `rockboxd-s3 init`: a settings file with fresh credentials, never rewriting one. */
import { buildConfig, type Flags, resolveConfigPath } from "../config/config.ts";
import { createSettingsFile, freshCredentials } from "../config/init-settings.ts";
import { expandPath } from "../config/paths.ts";
import { readSettings } from "../config/settings-file.ts";
import { clientSnippets } from "./snippets.ts";

export function localEndpoint(host: string, port: number): string {
  const h = host === "0.0.0.0" || host === "::" ? "localhost" : host;
  return `http://${h}:${port}`;
}

/** Creates the file if it is missing; returns true when it did. */
export function initSettings(flags: Flags, out: (text: string) => void): boolean {
  const path = resolveConfigPath(flags);
  const musicDir = expandPath(flags.musicDir ?? process.env.ROCKBOX_LIBRARY ?? "~/Music");
  const creds = freshCredentials();
  if (!createSettingsFile(path, musicDir, creds)) {
    out(`${path} already exists; rockboxd-s3 never rewrites it. Edit it by hand, or move it away and run init again.\n`);
    return false;
  }
  const config = buildConfig(flags, readSettings(path), path);
  out(
    `Created ${path} (mode 0600) with fresh S3 credentials.\n` +
      `Music folder: ${config.musicDir}\n\n` +
      `  access key: ${creds.accessKey}\n  secret key: ${creds.secretKey}\n\n` +
      `These are shown once; they are in the settings file if you need them again.\n` +
      clientSnippets(localEndpoint(config.host, config.port || 9000), creds.accessKey, creds.secretKey),
  );
  return true;
}

export function runInit(flags: Flags, out: (text: string) => void): number {
  initSettings(flags, out);
  return 0;
}

/**
 * First-run settings: fresh random credentials in a file only its owner can
 * read. An existing file is never rewritten.
 */
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";

const UPPER_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** Uniform random text (rejection sampling, so no character is favoured). */
export function randomText(length: number, alphabet: string): string {
  let out = "";
  const limit = 256 - (256 % alphabet.length);
  while (out.length < length) {
    for (const b of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (b < limit && out.length < length) out += alphabet[b % alphabet.length];
    }
  }
  return out;
}

export interface NewCredentials {
  accessKey: string;
  secretKey: string;
}

export function freshCredentials(): NewCredentials {
  // Alphanumeric only, so the keys paste into any shell or config file unquoted.
  return { accessKey: randomText(20, UPPER_DIGITS), secretKey: randomText(40, ALNUM) };
}

/**
 * Creates the settings file with mode 0600. Returns false, writing nothing,
 * when a file is already there.
 */
export function createSettingsFile(path: string, musicDir: string, creds: NewCredentials): boolean {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    fd = openSync(path, "wx", 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
  const text = [
    "# Rockbox settings. rockboxd-s3 reads the keys below; other rockboxd keys may live here too.",
    `music_dir = ${JSON.stringify(musicDir)}`,
    "s3_enabled = true",
    "s3_port = 9000",
    's3_host = "0.0.0.0"',
    `s3_access_key = "${creds.accessKey}"`,
    `s3_secret_key = "${creds.secretKey}"`,
    "",
  ].join("\n");
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  return true;
}

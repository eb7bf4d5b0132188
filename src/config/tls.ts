/**
 * s3_tls_cert / s3_tls_key: both set → HTTPS on s3_port (SPEC §2, §5).
 * Half a pair, or files that cannot serve TLS, are configuration errors
 * found before anything starts, each naming the key, the file and the fix.
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { ConfigError } from "./errors.ts";
import { expandPath } from "./paths.ts";
import type { Settings } from "./settings-file.ts";

export interface TlsFiles {
  /** PEM certificate chain (server certificate first), absolute path. */
  cert: string;
  /** PEM private key (unencrypted), absolute path. */
  key: string;
}

const MAKE_ONE =
  "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 -subj /CN=rockboxd-s3 " +
  '-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout key.pem -out cert.pem';

/**
 * The pair from the settings file (paths expanded like music_dir; "" for a
 * half left unset); null for plain HTTP. Not checked here: `scan` and
 * `library` read the same settings and must not fail over HTTPS settings.
 */
export function tlsFromSettings(settings: Settings | null): TlsFiles | null {
  const cert = settings?.s3_tls_cert || "";
  const key = settings?.s3_tls_key || "";
  if (!cert && !key) return null;
  return { cert: cert && expandPath(cert), key: key && expandPath(key) };
}

function requireBoth(tls: TlsFiles, configPath: string): void {
  if (tls.cert && tls.key) return;
  const [set, missing] = tls.cert ? ["s3_tls_cert", "s3_tls_key"] : ["s3_tls_key", "s3_tls_cert"];
  throw new ConfigError(
    `${set} is set but ${missing} is not, in ${configPath}: HTTPS needs both.\n` +
      `Fix: set ${missing} = "/path/to/${missing === "s3_tls_key" ? "key" : "cert"}.pem" in ${configPath}, or remove ${set} to serve plain HTTP.`,
  );
}

function readPem(setting: string, path: string, configPath: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigError(
      `${setting} in ${configPath} names ${path}, which cannot be read: ${(e as Error).message}.\n` +
        `Fix: point ${setting} at a readable PEM file (the user running rockboxd-s3 needs read access).`,
    );
  }
}

/**
 * For `serve`: both halves set, then both files read and checked: a certificate, a private key, and that they
 * belong together. Bun.serve would refuse them too, but only with an
 * OpenSSL code and no word of which setting is wrong.
 */
export function checkTlsFiles(tls: TlsFiles, configPath: string): void {
  requireBoth(tls, configPath);
  const certText = readPem("s3_tls_cert", tls.cert, configPath);
  const keyText = readPem("s3_tls_key", tls.key, configPath);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certText);
  } catch {
    throw new ConfigError(
      `s3_tls_cert in ${configPath} names ${tls.cert}, which is not a PEM certificate ("-----BEGIN CERTIFICATE-----").\n` +
        `Fix: point s3_tls_cert at your certificate (for a self-signed one: ${MAKE_ONE}).`,
    );
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(keyText);
  } catch {
    throw new ConfigError(
      `s3_tls_key in ${configPath} names ${tls.key}, which is not an unencrypted PEM private key ("-----BEGIN PRIVATE KEY-----").\n` +
        `Fix: point s3_tls_key at the certificate's key; decrypt a protected one with  openssl pkey -in key.pem -out plain-key.pem.`,
    );
  }
  if (!cert.checkPrivateKey(key))
    throw new ConfigError(
      `s3_tls_key (${tls.key}) is not the private key of s3_tls_cert (${tls.cert}), in ${configPath}.\n` +
        `Fix: use the key the certificate was made with.`,
    );
}

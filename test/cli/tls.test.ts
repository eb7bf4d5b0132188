/**
 * s3_tls_cert / s3_tls_key (SPEC §2, §5): both set → HTTPS on s3_port;
 * half a pair or unusable files → exit 78 naming the key, the file and the fix.
 * The clients over HTTPS are in test/https/.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MAIN, startServer, tempDir, writeSettings } from "../helpers/server.ts";
import { makeTestCa } from "../helpers/test-ca.ts";

function serve(home: string) {
  const p = Bun.spawnSync(["bun", MAIN, "serve", "--port", "0", "--host", "127.0.0.1"], {
    env: { ...process.env, HOME: home, ROCKBOX_LIBRARY: "" },
    stdin: "ignore",
    timeout: 20_000,
  });
  return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() };
}

const homes: string[] = [];
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

/** A home whose certs/ holds the test CA's server cert and key, plus a mismatched key. */
function homeWithCerts(): { home: string; certs: string } {
  using ca = makeTestCa();
  const home = tempDir("rbs3-tls");
  homes.push(home);
  const certs = join(home, "certs");
  mkdirSync(certs);
  copyFileSync(ca.certPem, join(certs, "server.pem"));
  copyFileSync(ca.keyPem, join(certs, "server.key"));
  copyFileSync(join(ca.dir, "ca.key"), join(certs, "other.key"));
  copyFileSync(ca.caPem, join(certs, "ca.pem"));
  return { home, certs };
}

describe("HTTPS settings", () => {
  test("both set (paths with ~): listening on https://, TLS verified against the CA, plain HTTP refused", async () => {
    const { home, certs } = homeWithCerts();
    writeSettings(home, 's3_tls_cert = "~/certs/server.pem"\ns3_tls_key = "$HOME/certs/server.key"\n');
    await using server = await startServer({ home });
    expect(server.url).toStartWith("https://127.0.0.1:");
    const ca = readFileSync(join(certs, "ca.pem"), "utf8");
    const r = await fetch(`${server.url}/music`, { tls: { ca } });
    expect(r.status).toBe(403);
    expect(await r.text()).toContain("<Code>AccessDenied</Code>");
    // The same port speaks only TLS: a plain-HTTP request gets no S3 answer.
    const plain = await fetch(`http://127.0.0.1:${server.port}/music`).then((x) => x.status, (e: Error) => e.name);
    expect(plain).not.toBe(403);
    // And a client that does not trust the CA refuses the certificate.
    expect(await fetch(`${server.url}/music`).then(() => "trusted", (e: Error) => e.message)).toMatch(/certificate/);
  }, 30_000);

  for (const [only, missing] of [["s3_tls_cert", "s3_tls_key"], ["s3_tls_key", "s3_tls_cert"]] as const) {
    test(`only ${only} set → exit 78 naming ${missing} and the file`, () => {
      const { home, certs } = homeWithCerts();
      const configPath = writeSettings(home, `${only} = "${join(certs, "server.pem")}"\n`);
      const r = serve(home);
      expect(r.code).toBe(78);
      expect(r.err).toContain(`${only} is set but ${missing} is not, in ${configPath}`);
      expect(r.err).toContain(`Fix: set ${missing} =`);
      expect(r.out).not.toContain("listening");
      // Only serve speaks HTTPS: the other commands read the same file and must not fail over it.
      const stats = Bun.spawnSync(["bun", MAIN, "library", "stats"], { env: { ...process.env, HOME: home, ROCKBOX_LIBRARY: "" }, stdin: "ignore", timeout: 20_000 });
      expect([stats.exitCode, stats.stderr.toString()]).toEqual([0, ""]);
    }, 30_000);
  }

  test("an unreadable cert file → exit 78 naming the key, the settings file and the path", () => {
    const { home, certs } = homeWithCerts();
    const missing = join(certs, "nope.pem");
    const configPath = writeSettings(home, `s3_tls_cert = "${missing}"\ns3_tls_key = "${join(certs, "server.key")}"\n`);
    const r = serve(home);
    expect(r.code).toBe(78);
    expect(r.err).toContain(`s3_tls_cert in ${configPath} names ${missing}, which cannot be read`);
    expect(r.err).toContain("Fix: point s3_tls_cert at a readable PEM file");
  }, 30_000);

  test("a key file that is not a key → exit 78 naming s3_tls_key", () => {
    const { home, certs } = homeWithCerts();
    writeFileSync(join(certs, "junk.key"), "not a key\n");
    writeSettings(home, `s3_tls_cert = "${join(certs, "server.pem")}"\ns3_tls_key = "${join(certs, "junk.key")}"\n`);
    const r = serve(home);
    expect(r.code).toBe(78);
    expect(r.err).toContain(`s3_tls_key in`);
    expect(r.err).toContain(`${join(certs, "junk.key")}, which is not an unencrypted PEM private key`);
  }, 30_000);

  test("a cert file that is not a certificate → exit 78 naming s3_tls_cert", () => {
    const { home, certs } = homeWithCerts();
    writeSettings(home, `s3_tls_cert = "${join(certs, "server.key")}"\ns3_tls_key = "${join(certs, "server.key")}"\n`);
    const r = serve(home);
    expect(r.code).toBe(78);
    expect(r.err).toContain(`${join(certs, "server.key")}, which is not a PEM certificate`);
    expect(r.err).toContain("openssl req -x509");
  }, 30_000);

  test("a key that does not belong to the cert → exit 78 naming both", () => {
    const { home, certs } = homeWithCerts();
    writeSettings(home, `s3_tls_cert = "${join(certs, "server.pem")}"\ns3_tls_key = "${join(certs, "other.key")}"\n`);
    const r = serve(home);
    expect(r.code).toBe(78);
    expect(r.err).toContain(`s3_tls_key (${join(certs, "other.key")}) is not the private key of s3_tls_cert (${join(certs, "server.pem")})`);
  }, 30_000);

  test("a path of the wrong type names the key", () => {
    const home = tempDir("rbs3-tls");
    homes.push(home);
    writeSettings(home, "s3_tls_cert = 443\n");
    const r = serve(home);
    expect(r.code).toBe(78);
    expect(r.err).toContain("s3_tls_cert");
  }, 30_000);
});

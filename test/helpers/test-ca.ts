/**
 * A throwaway certificate authority made with `openssl`, and a server
 * certificate it signed for 127.0.0.1 and localhost: what a user who runs
 * their own CA (or mkcert) has. Clients are pointed at `caPem`; the server
 * (or nginx) gets `certPem` and `keyPem`.
 *
 * The extensions follow RFC 5280 strictly enough for OpenSSL 3's
 * X509_V_FLAG_X509_STRICT (Python 3.13's default), Go's verifier (rclone)
 * and BoringSSL (Bun): a critical CA basicConstraints and keyUsage, key
 * identifiers, SANs (browsers and Go ignore the CN), serverAuth.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent } from "node:https";
import { join } from "node:path";
import { tempDir } from "./server.ts";

export interface TestCa extends Disposable {
  dir: string;
  /** The CA certificate clients must trust (PEM file path). */
  caPem: string;
  /** The server certificate for 127.0.0.1 / localhost, signed by the CA. */
  certPem: string;
  /** Its private key (unencrypted PEM). */
  keyPem: string;
}

function openssl(args: string[], cwd: string): void {
  const p = Bun.spawnSync(["openssl", ...args], { cwd, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  if (p.exitCode !== 0) throw new Error(`openssl ${args.join(" ")} failed (exit ${p.exitCode}):\n${p.stderr.toString()}`);
}

/** Makes a fresh CA and server certificate (valid for two days) in a temp dir. */
export function makeTestCa(): TestCa {
  if (!Bun.which("openssl")) throw new Error("openssl is not installed. Install it with `apt-get install openssl` (.ci/run does).");
  const dir = tempDir("rbs3-ca");
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  openssl(
    [
      "req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=rockboxd-s3 test CA",
      "-addext", "basicConstraints=critical,CA:TRUE",
      "-addext", "keyUsage=critical,keyCertSign,cRLSign",
      "-addext", "subjectKeyIdentifier=hash",
    ],
    dir,
  );
  openssl(["req", "-new", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"], dir);
  writeFileSync(
    join(dir, "server.ext"),
    [
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature",
      "extendedKeyUsage=serverAuth",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "subjectKeyIdentifier=hash",
      "authorityKeyIdentifier=keyid",
      "",
    ].join("\n"),
  );
  openssl(
    ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "server.ext"],
    dir,
  );
  return {
    dir,
    caPem: join(dir, "ca.pem"),
    certPem: join(dir, "server.pem"),
    keyPem: join(dir, "server.key"),
    [Symbol.dispose]() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Settings-file lines that make a test server speak HTTPS with the CA's server certificate. */
export function tlsSettings(ca: TestCa): string {
  return `s3_tls_cert = "${ca.certPem}"\ns3_tls_key = "${ca.keyPem}"\n`;
}

/**
 * What a Node user passes the AWS SDK v3 to trust a private CA:
 * `new S3Client({ requestHandler: { httpsAgent: trustingAgent(ca) } })`.
 */
export function trustingAgent(ca: TestCa): Agent {
  return new Agent({ ca: readFileSync(ca.caPem), keepAlive: true });
}

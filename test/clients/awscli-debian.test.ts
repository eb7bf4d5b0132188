/**
 * Debian's awscli 2.9 (/usr/bin/aws), the old checksum behaviour: signed
 * payloads and Content-MD5, multipart over 8 MiB. `.ci/run` installs it.
 */
import { expect } from "bun:test";
import { debianAws } from "../helpers/clients/awscli.ts";
import { awscliSuite } from "./awscli-suite.ts";

awscliSuite({
  label: "awscli-debian",
  bin: debianAws,
  checkVersion(line) {
    // 2.x before 2.23: no default request checksums.
    const m = line.match(/^aws-cli\/2\.(\d+)\./);
    expect(m, line).not.toBeNull();
    expect(Number(m![1]), line).toBeLessThan(23);
  },
  checkPutHeaders(h) {
    // Signed SHA-256 payload and Content-MD5; no flexible checksums.
    expect(h["x-amz-content-sha256"]).toMatch(/^[0-9a-f]{64}$/);
    expect(h["content-md5"]).toBeTruthy();
    expect(Object.keys(h).filter((k) => k.startsWith("x-amz-checksum-") || k === "x-amz-trailer")).toEqual([]);
  },
});

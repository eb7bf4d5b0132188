/**
 * The digests of an upload's bytes: MD5 always (the ETag), SHA-256 when the
 * request signed its payload. Computed inline as the bytes stream past: a
 * worker thread was tried and measured no faster on 2 cores with the client
 * on the same machine, while it cost ~20 MB of RSS (bench/, 2026-11-24).
 */
export type Algorithm = "md5" | "sha256";

export class Digests {
  private readonly hashers: Map<Algorithm, Bun.CryptoHasher>;

  constructor(algorithms: Algorithm[]) {
    this.hashers = new Map(algorithms.map((a) => [a, new Bun.CryptoHasher(a)]));
  }

  update(chunk: Uint8Array): void {
    for (const h of this.hashers.values()) h.update(chunk);
  }

  digest(): Record<Algorithm, Buffer | undefined> {
    const out: Record<Algorithm, Buffer | undefined> = { md5: undefined, sha256: undefined };
    for (const [a, h] of this.hashers) out[a] = h.digest();
    return out;
  }
}

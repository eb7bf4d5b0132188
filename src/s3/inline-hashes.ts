/**
 * An upload's hashes on the request's own thread: each distinct algorithm
 * once, however many checks want it (a signed payload with
 * x-amz-checksum-sha256 needs one SHA-256, not two; a part whose upload
 * keeps the CRC32 it also sent in a header needs one CRC32). The same shape
 * as the hash pool's stream (hash-pool.ts), so VerifiedBody has one path.
 */
import { createChecksum } from "./checksum.ts";
import type { HashName } from "./hash-ring.ts";

interface Hasher {
  update(chunk: Uint8Array): void;
  digest(): Uint8Array;
}

function md5(): Hasher {
  const h = new Bun.CryptoHasher("md5");
  return { update: (chunk) => void h.update(chunk), digest: () => new Uint8Array(h.digest()) };
}

export class InlineHashes {
  readonly #hashers: [HashName, Hasher][];

  constructor(names: Iterable<HashName>) {
    this.#hashers = [...names].map((name) => [name, name === "MD5" ? md5() : createChecksum(name)]);
  }

  update(chunk: Uint8Array): void {
    for (const [, h] of this.#hashers) h.update(chunk);
  }

  digests(): Map<HashName, Uint8Array> {
    return new Map(this.#hashers.map(([name, h]) => [name, h.digest()]));
  }
}

/**
 * The full-object checksums S3 carries in x-amz-checksum-* headers and
 * trailers: base64 of the big-endian digest.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
 *
 * They run over every uploaded byte, so speed matters. Rough MB/s, 64 KiB
 * updates, one core of a shared x86-64 box:
 * CRC32 12 000+ (node:zlib, native), CRC32C ~1 000-1 400, CRC64NVME
 * ~700-1 300, SHA-1 and SHA-256 ~1 000-1 700 (Bun.CryptoHasher, native).
 * CRC32C and CRC64NVME are table-driven slice-by-8 here because the packages
 * the AWS SDK uses are far slower (@aws-crypto/crc32c ~45 MB/s, a byte at a
 * time) or async (@aws-sdk/crc64-nvme ~400 MB/s, `await digest()`); the tests
 * compare both against those packages on random data.
 */
import { crc32 as zlibCrc32 } from "node:zlib";

export const CHECKSUM_ALGORITHMS = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

/** Digest sizes in bytes; a header value must decode to exactly this many. */
export const CHECKSUM_BYTES: Readonly<Record<ChecksumAlgorithm, number>> = {
  CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32,
};

export interface Checksum {
  readonly algorithm: ChecksumAlgorithm;
  update(data: Uint8Array): void;
  /** The big-endian digest. Call once, after the last update. */
  digest(): Uint8Array;
}

export function isChecksumAlgorithm(name: string): name is ChecksumAlgorithm {
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(name);
}

/** "CRC64NVME" → "x-amz-checksum-crc64nvme" */
export function checksumHeaderName(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

export function createChecksum(algorithm: ChecksumAlgorithm): Checksum {
  switch (algorithm) {
    case "CRC32": return new Crc32();
    case "CRC32C": return new Crc32c();
    case "CRC64NVME": return new Crc64Nvme();
    case "SHA1": return new Sha("SHA1", "sha1");
    case "SHA256": return new Sha("SHA256", "sha256");
  }
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/** One-shot helper: the header value for `data`. */
export function checksumBase64(algorithm: ChecksumAlgorithm, data: Uint8Array): string {
  const c = createChecksum(algorithm);
  c.update(data);
  return toBase64(c.digest());
}

function u32be(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value >>> 0);
  return out;
}

/** zlib's crc32 takes the running value, so it chains across updates. */
class Crc32 implements Checksum {
  readonly algorithm = "CRC32";
  private crc = 0;
  update(data: Uint8Array): void {
    this.crc = zlibCrc32(data, this.crc);
  }
  digest(): Uint8Array {
    return u32be(this.crc);
  }
}

class Sha implements Checksum {
  private readonly hasher: Bun.CryptoHasher;
  constructor(readonly algorithm: ChecksumAlgorithm, name: "sha1" | "sha256") {
    this.hasher = new Bun.CryptoHasher(name);
  }
  update(data: Uint8Array): void {
    this.hasher.update(data);
  }
  digest(): Uint8Array {
    return new Uint8Array(this.hasher.digest());
  }
}

/** Slice-by-8 tables for a reflected 32-bit CRC: T[k][b] is b's CRC shifted through k more zero bytes. */
function crc32Tables(poly: number): Uint32Array[] {
  const tables = [new Uint32Array(256)];
  const t0 = tables[0]!;
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let j = 0; j < 8; j++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t0[i] = c >>> 0;
  }
  for (let k = 1; k < 8; k++) {
    const prev = tables[k - 1]!;
    const t = new Uint32Array(256);
    for (let i = 0; i < 256; i++) t[i] = (prev[i]! >>> 8) ^ t0[prev[i]! & 0xff]!;
    tables.push(t);
  }
  return tables;
}

/** CRC-32C (Castagnoli), reflected polynomial 0x82F63B78 (RFC 3720 §B.4). */
type Eight = [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array];
// Module-level constants rather than a destructured array per call: JSC
// optimises the hot loop noticeably better (1.4 vs 1.0 GB/s).
const [C0, C1, C2, C3, C4, C5, C6, C7] = crc32Tables(0x82f63b78) as Eight;

class Crc32c implements Checksum {
  readonly algorithm = "CRC32C";
  private crc = 0xffffffff;
  update(d: Uint8Array): void {
    let c = this.crc;
    let i = 0;
    for (const n = d.length - 8; i <= n; i += 8) {
      const w = c ^ (d[i]! | (d[i + 1]! << 8) | (d[i + 2]! << 16) | (d[i + 3]! << 24));
      c = C7[w & 0xff]! ^ C6[(w >>> 8) & 0xff]! ^ C5[(w >>> 16) & 0xff]! ^ C4[w >>> 24]! ^
        C3[d[i + 4]!]! ^ C2[d[i + 5]!]! ^ C1[d[i + 6]!]! ^ C0[d[i + 7]!]!;
    }
    for (; i < d.length; i++) c = (c >>> 8) ^ C0[(c ^ d[i]!) & 0xff]!;
    this.crc = c;
  }
  digest(): Uint8Array {
    return u32be(~this.crc);
  }
}

/**
 * CRC-64/NVME, reflected polynomial 0x9A6C9329AC4BC9B5 (NVM Express NVM
 * Command Set spec, "64b CRC"). JS has no fast 64-bit integers, so the CRC
 * is kept as two 32-bit halves and each table as a high and a low array.
 */
const [[H0, H1, H2, H3, H4, H5, H6, H7], [L0, L1, L2, L3, L4, L5, L6, L7]] = (() => {
  const hi = [new Uint32Array(256)];
  const lo = [new Uint32Array(256)];
  for (let i = 0; i < 256; i++) {
    let h = 0;
    let l = i;
    for (let j = 0; j < 8; j++) {
      const bit = l & 1;
      l = ((l >>> 1) | ((h & 1) << 31)) >>> 0;
      h >>>= 1;
      if (bit) {
        h = (h ^ 0x9a6c9329) >>> 0;
        l = (l ^ 0xac4bc9b5) >>> 0;
      }
    }
    hi[0]![i] = h;
    lo[0]![i] = l;
  }
  for (let k = 1; k < 8; k++) {
    const [ph, pl, h0, l0] = [hi[k - 1]!, lo[k - 1]!, hi[0]!, lo[0]!];
    const [th, tl] = [new Uint32Array(256), new Uint32Array(256)];
    for (let i = 0; i < 256; i++) {
      const idx = pl[i]! & 0xff;
      tl[i] = (((pl[i]! >>> 8) | ((ph[i]! & 0xff) << 24)) ^ l0[idx]!) >>> 0;
      th[i] = ((ph[i]! >>> 8) ^ h0[idx]!) >>> 0;
    }
    hi.push(th);
    lo.push(tl);
  }
  return [hi as Eight, lo as Eight] as const;
})();

class Crc64Nvme implements Checksum {
  readonly algorithm = "CRC64NVME";
  private hi = 0xffffffff;
  private lo = 0xffffffff;
  update(d: Uint8Array): void {
    let hi = this.hi;
    let lo = this.lo;
    let i = 0;
    for (const n = d.length - 8; i <= n; i += 8) {
      const a = lo ^ (d[i]! | (d[i + 1]! << 8) | (d[i + 2]! << 16) | (d[i + 3]! << 24));
      const b = hi ^ (d[i + 4]! | (d[i + 5]! << 8) | (d[i + 6]! << 16) | (d[i + 7]! << 24));
      const a0 = a & 0xff, a1 = (a >>> 8) & 0xff, a2 = (a >>> 16) & 0xff, a3 = a >>> 24;
      const b0 = b & 0xff, b1 = (b >>> 8) & 0xff, b2 = (b >>> 16) & 0xff, b3 = b >>> 24;
      lo = L7[a0]! ^ L6[a1]! ^ L5[a2]! ^ L4[a3]! ^ L3[b0]! ^ L2[b1]! ^ L1[b2]! ^ L0[b3]!;
      hi = H7[a0]! ^ H6[a1]! ^ H5[a2]! ^ H4[a3]! ^ H3[b0]! ^ H2[b1]! ^ H1[b2]! ^ H0[b3]!;
    }
    for (; i < d.length; i++) {
      const idx = (lo ^ d[i]!) & 0xff;
      lo = ((lo >>> 8) | ((hi & 0xff) << 24)) ^ L0[idx]!;
      hi = (hi >>> 8) ^ H0[idx]!;
    }
    this.hi = hi;
    this.lo = lo;
  }
  digest(): Uint8Array {
    const out = new Uint8Array(8);
    const view = new DataView(out.buffer);
    view.setUint32(0, ~this.hi >>> 0);
    view.setUint32(4, ~this.lo >>> 0);
    return out;
  }
}

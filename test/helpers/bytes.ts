/** Test data: deterministic pseudo-random bytes and the digests S3 shows for them. */

export const MiB = 1024 * 1024;

export function bytes(n: number, seed = 1): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) b[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  return b;
}

export const md5Hex = (b: Uint8Array | string): string => new Bun.CryptoHasher("md5").update(b).digest("hex");

/** An ETag as S3 sends it: the quoted MD5. */
export const quotedMd5 = (b: Uint8Array | string): string => `"${md5Hex(b)}"`;

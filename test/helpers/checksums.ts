/**
 * The checksums a client computes, worked out independently of src/s3 so a
 * test can tell the server stored what the client sent: base64 of the
 * big-endian CRC32, and S3's COMPOSITE form for multipart uploads
 * (CRC32 of the concatenated part CRC32s, then "-<parts>";
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html).
 */
function crc32Bytes(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, Bun.hash.crc32(data) >>> 0);
  return out;
}

export function crc32Base64(data: Uint8Array): string {
  return Buffer.from(crc32Bytes(data)).toString("base64");
}

export function compositeCrc32(data: Uint8Array, partSize: number): string {
  const parts: Uint8Array[] = [];
  for (let off = 0; off < data.length; off += partSize) parts.push(crc32Bytes(data.subarray(off, off + partSize)));
  return `${crc32Base64(Buffer.concat(parts))}-${parts.length}`;
}

/**
 * The upload hashes on worker threads (src/s3/hash-pool.ts): the same
 * digests as inline hashing, and a refused or abandoned upload gives its
 * ring back.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { checksumBase64 } from "../../src/s3/checksum.ts";
import { HashPool } from "../../src/s3/hash-pool.ts";
import { VerifiedBody } from "../../src/s3/verified-body.ts";
import { waitFor } from "../helpers/server.ts";

const MiB = 1024 ** 2;
const random = (n: number) => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(i + 65536, n)));
  return out;
};
async function* pieces(data: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}
const hex = (d: Uint8Array | undefined) => Buffer.from(d!).toString("hex");

describe("HashPool", () => {
  const pool = new HashPool({ threads: 2, rings: 2 });
  afterAll(() => pool.close());

  test.each([0, 1, 65536, 4 * MiB, 9 * MiB + 7])("%d bytes hash as inline", async (length) => {
    const data = random(length);
    for (const piece of [1000, 65536, 3 * MiB]) {
      const stream = pool.open(["MD5", "SHA256", "CRC32C", "CRC64NVME", "CRC32", "SHA1"])!;
      for await (const p of pieces(data, piece)) await stream.update(p);
      const d = await stream.digests();
      expect(hex(d.get("MD5"))).toBe(createHash("md5").update(data).digest("hex"));
      expect(hex(d.get("SHA256"))).toBe(createHash("sha256").update(data).digest("hex"));
      for (const name of ["CRC32C", "CRC64NVME", "CRC32", "SHA1"] as const)
        expect(Buffer.from(d.get(name)!).toString("base64")).toBe(checksumBase64(name, data));
    }
    expect(pool.freeRings).toBe(2);
  });

  test("uploads beyond the rings hash inline; an aborted one frees its ring", async () => {
    const a = pool.open(["MD5"])!;
    const b = pool.open(["MD5", "SHA256"])!;
    expect(pool.open(["MD5"])).toBeNull();
    await a.update(random(6 * MiB)); // more than its ring holds: waits for the workers
    a.abort();
    a.abort();
    await waitFor(() => pool.freeRings === 1, 5000, "the aborted ring back");
    b.abort();
    await waitFor(() => pool.freeRings === 2, 5000, "both rings back");
    expect(pool.open(["MD5"])).not.toBeNull();
  });
});

describe("HashPool idle", () => {
  test("workers start on the first upload, stop after the idle spell, start again on the next", async () => {
    const pool = new HashPool({ threads: 1, rings: 2, idleMs: 50 });
    try {
      expect(pool.started).toBe(false);
      const data = random(300_000);
      for (let round = 0; round < 2; round++) {
        const stream = pool.open(["MD5"])!;
        expect(pool.started).toBe(true);
        await stream.update(data);
        expect(hex((await stream.digests()).get("MD5"))).toBe(createHash("md5").update(data).digest("hex"));
        await waitFor(() => !pool.started, 5000, "the workers stopped");
      }
    } finally {
      pool.close();
    }
  });
});

describe("HashPool ring reuse", () => {
  // Few rings, many short uploads back to back, some abandoned: a worker acting on a ring's
  // previous upload would write a wrong or early digest into the next one (hash-ring.ts's tag protocol).
  const pool = new HashPool({ threads: 2, rings: 2 });
  afterAll(() => pool.close());
  const checksums = ["SHA256", "CRC32C", "CRC64NVME", "CRC32", "SHA1"] as const;

  test("400 short uploads, 3 at a time over 2 rings: every digest as inline", async () => {
    const data = random(3 * MiB);
    let checked = 0;
    const lane = async (seed: number) => {
      for (let i = 0; i < 133; i++) {
        const n = (seed * 7919 + i * 104729) % (i % 10 === 0 ? 3 * MiB : 70_000);
        const bytes = data.subarray(i % 5, (i % 5) + n);
        const sums = checksums.slice(0, (seed + i) % (checksums.length + 1));
        const names = ["MD5" as const, ...sums];
        // A lane without a ring waits for one, so each ring is taken again the moment it is freed.
        let stream = pool.open(names);
        while (!stream) {
          await Bun.sleep(0);
          stream = pool.open(names);
        }
        for (let off = 0; off < bytes.length; off += 40_000) await stream.update(bytes.subarray(off, off + 40_000));
        if (i % 7 === 3) {
          stream.abort();
          continue;
        }
        const d = await stream.digests();
        stream.abort(); // as VerifiedBody's finally does: a no-op once settled
        expect(hex(d.get("MD5"))).toBe(createHash("md5").update(bytes).digest("hex"));
        for (const name of sums)
          expect(Buffer.from(d.get(name)!).toString("base64")).toBe(name === "SHA256" ? createHash("sha256").update(bytes).digest("base64") : checksumBase64(name, bytes));
        checked++;
      }
    };
    await Promise.all([lane(1), lane(2), lane(3)]);
    expect(checked).toBe(3 * 133 - 3 * 19);
    await waitFor(() => pool.freeRings === 2, 5000, "both rings back");
  }, 60_000);
});

describe("VerifiedBody on the shared pool", () => {
  const data = random(5 * MiB + 3);
  const sha = createHash("sha256").update(data).digest("hex");
  // Its own pool, so the test does not depend on the environment or on another file's first hashPool().
  const pool = new HashPool({ threads: 2, rings: 8 });
  afterAll(() => pool.close());
  const rings = () => pool.freeRings;
  /** A source that also records whether a ring was taken while it was read: the body really went to the workers. */
  let ringTaken = false;
  async function* watched(data: Uint8Array): AsyncGenerator<Uint8Array> {
    for await (const piece of pieces(data, 65536)) {
      if (rings() < 8) ringTaken = true;
      yield piece;
    }
  }

  test("a clean body: digests from the workers", async () => {
    ringTaken = false;
    const body = new VerifiedBody(watched(data), { maxBytes: 10 * MiB, sha256Hex: sha, expectedBytes: data.length }, pool);
    body.compute("CRC32C");
    let n = 0;
    for await (const c of body) n += c.length;
    expect(n).toBe(data.length);
    expect(body.md5).toBe(createHash("md5").update(data).digest("hex"));
    expect(body.checksums()).toEqual({ CRC32C: checksumBase64("CRC32C", data) });
    expect(ringTaken).toBe(true);
    await waitFor(() => rings() === 8, 5000, "every ring free");
  });

  const refused: [string, () => VerifiedBody, string][] = [
    ["a wrong signed SHA-256", () => new VerifiedBody(watched(data), { maxBytes: 10 * MiB, sha256Hex: "0".repeat(64) }, pool), "XAmzContentSHA256Mismatch"],
    ["too large, mid-stream", () => new VerifiedBody(watched(data), { maxBytes: 3 * MiB }, pool), "EntityTooLarge"],
    ["shorter than declared", () => new VerifiedBody(watched(data), { maxBytes: 10 * MiB, expectedBytes: data.length + 1 }, pool), "IncompleteBody"],
    ["a wrong Content-MD5", () => new VerifiedBody(watched(data), { maxBytes: 10 * MiB, contentMd5: Buffer.alloc(16).toString("base64") }, pool), "BadDigest"],
  ];
  test.each(refused)("%s: the same error, no ring kept", async (_, make, code) => {
    let error: unknown = null;
    ringTaken = false;
    try {
      for await (const _chunk of make());
    } catch (e) {
      error = e;
    }
    expect((error as { code?: string })?.code).toBe(code);
    expect(ringTaken).toBe(true);
    await waitFor(() => rings() === 8, 5000, "every ring free");
  });

  test("a consumer that stops early: no ring kept", async () => {
    let seen = 0;
    ringTaken = false;
    for await (const c of new VerifiedBody(watched(data), { maxBytes: 10 * MiB }, pool)) {
      seen += c.length;
      if (seen > 2 * MiB) break;
    }
    expect(ringTaken).toBe(true);
    await waitFor(() => rings() === 8, 5000, "every ring free");
  });
});

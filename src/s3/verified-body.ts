/**
 * One verified body stream: the only place an upload's bytes are checked.
 * It decodes aws-chunked framing, counts, enforces the cap, feeds every
 * digest and checksum as the bytes pass, and throws the right S3Error at the
 * end of the stream when the body is not what the request promised — so a
 * consumer that writes what it is given and commits only when iteration
 * ended cleanly can never commit a body that failed a check.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
 */
import { type BodyCheck, type ChecksumValue, checksumCheck, contentMd5Matches, sha256PayloadCheck, type TrailerChecksumCheck } from "./body-check.ts";
import { type ChecksumAlgorithm, checksumHeaderName, toBase64 } from "./checksum.ts";
import { S3Error } from "./errors.ts";
import { type HashPool, hashPool, type HashStream } from "./hash-pool.ts";
import type { HashName } from "./hash-ring.ts";
import { InlineHashes } from "./inline-hashes.ts";
import { type DecodeOptions, decodeAwsChunked } from "./sigv4/chunked.ts";
import { FreshChunks, freedWhenSpent } from "./spent-chunks.ts";

/** What a request promised about its body. */
export interface BodyPromises {
  /** Exceeding it while streaming is EntityTooLarge. */
  maxBytes: number;
  /** The declared length: a different count is IncompleteBody. */
  expectedBytes?: number;
  /** x-amz-content-sha256 of a signed payload (hex). */
  sha256Hex?: string;
  /** Content-MD5 (base64), checked against the MD5 computed anyway for the ETag. */
  contentMd5?: string | null;
  /** An x-amz-checksum-* header describing these bytes. */
  checksum?: ChecksumValue | null;
  /** aws-chunked framing, and the checksum its trailer will carry. */
  chunked?: DecodeOptions & { trailerChecksum: TrailerChecksumCheck | null };
}

export class VerifiedBody implements AsyncIterable<Uint8Array> {
  private readonly checks: BodyCheck[] = [];
  private readonly headerChecksum: ReturnType<typeof checksumCheck> | null;
  /** Checksums to compute and keep (a part of an upload that keeps one, a copy that asks for one). */
  private readonly computed = new Set<ChecksumAlgorithm>();
  private readonly verified: Record<string, string> = {};
  private readonly computedValues: Record<string, string> = {};
  private bytes = 0;
  private md5Hex: string | null = null;
  private freeSpent = false;

  constructor(
    private readonly source: AsyncIterable<Uint8Array>,
    private readonly promises: BodyPromises,
    /** Where the hashes run; the process's pool (inline unless it has workers). Tests pass their own. */
    private readonly pool: HashPool = hashPool(),
  ) {
    if (promises.expectedBytes !== undefined && promises.expectedBytes > promises.maxBytes) throw new S3Error("EntityTooLarge");
    // A malformed checksum value is refused before any byte is read.
    this.headerChecksum = promises.checksum ? checksumCheck(promises.checksum.algorithm, promises.checksum.value) : null;
    if (this.headerChecksum) this.checks.push(this.headerChecksum);
    if (promises.sha256Hex !== undefined) this.checks.push(sha256PayloadCheck(promises.sha256Hex));
  }

  /** Also compute `algorithm` over the bytes (a part of an upload that keeps one, a copy that asks for one). */
  compute(algorithm: ChecksumAlgorithm): void {
    this.computed.add(algorithm);
  }

  /**
   * The consumer keeps no chunk once it asks for the next (it copies or
   * writes each): a FreshChunks source's buffers are then freed as they are
   * spent (spent-chunks.ts), which keeps concurrent uploads' memory down.
   */
  freeEachChunk(): void {
    this.freeSpent = true;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    const { chunked, maxBytes, expectedBytes } = this.promises;
    const trailer = chunked?.trailerChecksum ?? null;
    const source = this.freeSpent && this.source instanceof FreshChunks ? freedWhenSpent(this.source) : this.source;
    const decoder = chunked ? decodeAwsChunked(source, chunked) : null;
    const iterator = decoder ?? source[Symbol.asyncIterator]();
    // Each distinct hash once, on the pool's workers when it has any (hash-pool.ts), else on this thread.
    const names = new Set<HashName>(["MD5", ...this.checks.map((c) => c.algorithm), ...this.computed]);
    if (trailer) names.add(trailer.algorithm);
    const pooled: HashStream | null = this.pool.open([...names]);
    const hashes = pooled ?? new InlineHashes(names);
    try {
      let step = await iterator.next();
      while (!step.done) {
        const chunk = step.value;
        this.bytes += chunk.byteLength;
        if (this.bytes > maxBytes) throw new S3Error("EntityTooLarge");
        const full = hashes.update(chunk);
        if (full) await full; // every slot of the pool's ring still being hashed
        yield chunk;
        step = await iterator.next();
      }
      if (expectedBytes !== undefined && this.bytes !== expectedBytes) throw new S3Error("IncompleteBody");
      this.settle(decoder ? (step.value as Record<string, string>) : {}, trailer, await hashes.digests());
    } finally {
      // A refused or abandoned body frees its ring; a settled one already did.
      pooled?.abort();
      // A consumer that stops early (or a refused body) lets go of the request, so it can be drained.
      await iterator.return?.(undefined);
    }
  }

  /** `digests`: every hash the body needed, algorithm → digest. */
  private settle(trailers: Record<string, string>, trailer: TrailerChecksumCheck | null, digests: Map<HashName, Uint8Array>): void {
    const { contentMd5 } = this.promises;
    for (const c of this.checks) c.finish(digests.get(c.algorithm));
    if (this.headerChecksum) this.verified[this.headerChecksum.algorithm] = this.headerChecksum.value;
    // Only what x-amz-trailer announced may arrive there: anything else would be unsigned-by-intent data.
    const announced = trailer ? checksumHeaderName(trailer.algorithm) : null;
    const stray = Object.keys(trailers).find((name) => name !== announced);
    if (stray !== undefined)
      throw new S3Error("MalformedTrailerError", `The trailer ${stray} was not announced in x-amz-trailer.`);
    if (trailer) this.verified[trailer.algorithm] = trailer.finish(trailers, digests.get(trailer.algorithm));
    for (const algorithm of this.computed) this.computedValues[algorithm] = toBase64(digests.get(algorithm)!);
    const md5Hex = Buffer.from(digests.get("MD5")!).toString("hex");
    if (contentMd5 != null) contentMd5Matches(md5Hex, contentMd5);
    this.md5Hex = md5Hex;
  }

  /** The length the request declared (Content-Length, or aws-chunked's decoded length); undefined when unknown up front. */
  get declaredBytes(): number | undefined {
    return this.promises.expectedBytes;
  }

  /** The byte count so far (the object size once iteration ended). */
  get size(): number {
    return this.bytes;
  }

  /** Hex MD5 of the bytes: the ETag. Only once the stream ended cleanly. */
  get md5(): string {
    if (this.md5Hex === null) throw new Error("VerifiedBody.md5 read before the body ended cleanly");
    return this.md5Hex;
  }

  /** The checksums the client sent (verified) and those computed on request, algorithm → base64. */
  checksums(): Record<string, string> {
    return { ...this.computedValues, ...this.verified };
  }
}

/**
 * Multipart uploads: parts staged in the working folder (same filesystem as
 * music_dir), most straight at their final offsets in one data file
 * (slots.ts), so a typical Complete only seals and renames that file; any
 * other part list is assembled into a temp file and renamed into place.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html
 */
import { closeSync, existsSync, openSync, rmSync, statfsSync, statSync } from "node:fs";
import { join } from "node:path";
import type { ChecksumAlgorithm } from "../../s3/checksum.ts";
import { rangeWithin } from "../../s3/copy-source.ts";
import { S3Error } from "../../s3/errors.ts";
import { ABANDONED_UPLOAD_MS, MIN_PART_SIZE } from "../../s3/limits.ts";
import { multipartEtag, type ChecksumType } from "../../s3/multipart-checksum.ts";
import type { VerifiedBody } from "../../s3/verified-body.ts";
import { commitTemp, fdatasyncAsync, fsError, receiveToTemp, renameInto, writeBody, type Received } from "../atomic-write.ts";
import type { Bucket } from "../bucket.ts";
import { fileBody, type CopySource } from "../copy-object.ts";
import type { Layout } from "../layout.ts";
import type { ByteRange } from "../../s3/range.ts";
import { assembleParts, checksumsOf, fillSlots, sealDataFile, type PartSource } from "./assemble.ts";
import { CompletedMarkers, partsFingerprint, type CompletedUpload } from "./completed.ts";
import { listUploadsPage, type UploadListPage, type UploadListQuery } from "./list-uploads.ts";
import { type ChecksumPlan, planChecksums, type ExpectedChecksum } from "./object-checksums.ts";
import { type OutOfSlot, type Slot, Slots } from "./slots.ts";
import { isUploadId, namesIn, newUploadId, UploadDir, type Manifest, type PartRecord } from "./upload-dir.ts";

export type { CompletedUpload, ExpectedChecksum, Manifest, PartRecord };

export interface NewUpload {
  contentType: string | null;
  meta: Record<string, string> | null;
  checksumAlgorithm: ChecksumAlgorithm | null;
  checksumType: ChecksumType | null;
}

/** A part as CompleteMultipartUpload lists it: ETag unquoted, checksums by algorithm. */
export interface ListedPart {
  partNumber: number;
  etag: string;
  checksums: Record<string, string>;
}

export interface PartsPage {
  manifest: Manifest;
  parts: PartRecord[];
  isTruncated: boolean;
  nextMarker: number | null;
}

/** Completed markers answer retried Completes for this long. */
const COMPLETED_MARKER_MS = ABANDONED_UPLOAD_MS;

export class Multipart {
  private readonly markers: CompletedMarkers;
  /** Uploads with a part being received: never swept. */
  private readonly busy = new Map<string, number>();
  private readonly completing = new Map<string, Promise<CompletedUpload>>();
  private readonly slots = new Slots((dir) => this.filesystemType(dir));
  /**
   * Told how each Complete's bytes moved: `inPlaceBytes` of `size` not at all
   * (parts already in their slots), `kernelBytes` by copy_file_range, the
   * rest read and written.
   */
  onAssembled: (key: string, size: number, kernelBytes: number, inPlaceBytes: number) => void = () => {};
  /** statfs(2)'s f_type for the staging folder, asked once per folder: whether parts may be slotted (sparse-files.ts). */
  filesystemType: (dir: string) => number = (dir) => statfsSync(dir).type;

  constructor(
    private readonly bucket: Bucket,
    private readonly layout: Layout,
  ) {
    this.markers = new CompletedMarkers(join(layout.multipartDir, ".completed"));
  }

  private get multipartDir(): string {
    return this.layout.multipartDir;
  }

  create(key: string, fields: NewUpload): Manifest {
    this.layout.pathOf(key); // a reserved key fails now, not after all its parts arrived
    const manifest: Manifest = { uploadId: newUploadId(), key, initiatedMs: Date.now(), ...fields };
    try {
      UploadDir.of(this.multipartDir, manifest.uploadId).create(manifest);
    } catch (e) {
      throw fsError(e);
    }
    return manifest;
  }

  /** The upload, if it exists for this key; `forWrite` also refuses one being completed. */
  private open(uploadId: string, key: string, forWrite: boolean): { dir: UploadDir; manifest: Manifest } {
    if (!isUploadId(uploadId)) throw new S3Error("NoSuchUpload", undefined, { UploadId: uploadId });
    const dir = UploadDir.of(this.multipartDir, uploadId);
    const manifest = dir.manifest();
    if (!manifest || manifest.key !== key || (forWrite && this.completing.has(uploadId)))
      throw new S3Error("NoSuchUpload", undefined, { UploadId: uploadId });
    return { dir, manifest };
  }

  uploadPart(uploadId: string, key: string, partNumber: number, body: VerifiedBody): Promise<PartRecord> {
    const { dir, manifest } = this.open(uploadId, key, true);
    return this.receivePart(dir, manifest, partNumber, body);
  }

  copyPart(uploadId: string, key: string, partNumber: number, source: CopySource, range: ByteRange | null): Promise<PartRecord> {
    const { dir, manifest } = this.open(uploadId, key, true);
    const { row, path } = this.bucket.openSource(source);
    return this.receivePart(dir, manifest, partNumber, fileBody(path, row.size, rangeWithin(range, row.size)));
  }

  /** Synchronous up to the slot claim, so that a Complete started later sees the claim. */
  private async receivePart(dir: UploadDir, manifest: Manifest, partNumber: number, body: VerifiedBody): Promise<PartRecord> {
    const id = manifest.uploadId;
    this.busy.set(id, (this.busy.get(id) ?? 0) + 1);
    let slot: Slot | null = null;
    try {
      // The upload's algorithm is computed for every part, so Complete can build the object's checksum.
      if (manifest.checksumAlgorithm) body.compute(manifest.checksumAlgorithm);
      try {
        slot = this.slots.claim(dir, manifest, partNumber, body.declaredBytes);
      } catch (e) {
        throw fsError(e);
      }
      if (slot) return await this.receiveIntoSlot(dir, manifest, partNumber, slot, body);
      const received = await receiveToTemp(this.layout, body);
      return this.commitPart(manifest, partNumber, received, body.checksums());
    } finally {
      slot?.release();
      const n = this.busy.get(id)! - 1;
      if (n > 0) this.busy.set(id, n);
      else this.busy.delete(id);
    }
  }

  /** Writes the part at its slot, fdatasyncs, then records it (the claim is released by the caller after). */
  private async receiveIntoSlot(dir: UploadDir, manifest: Manifest, partNumber: number, slot: Slot, body: VerifiedBody): Promise<PartRecord> {
    let size: number;
    try {
      const fd = openSync(dir.dataFile, "r+");
      try {
        size = await writeBody(fd, body, slot.offset, slot.length, true);
        await fdatasyncAsync(fd);
      } finally {
        closeSync(fd);
      }
    } catch (e) {
      throw fsError(e);
    }
    // Aborted or completed while the part was streaming: it belongs to nothing.
    this.open(manifest.uploadId, manifest.key, true);
    const record = { partNumber, size, etag: body.md5, lastModifiedMs: Date.now(), checksums: body.checksums() };
    try {
      return dir.commitSlotPart(record, slot.offset);
    } catch (e) {
      throw fsError(e);
    }
  }

  private commitPart(manifest: Manifest, partNumber: number, received: Received, checksums: Record<string, string>): PartRecord {
    try {
      // Aborted or completed while the part was streaming: it belongs to nothing.
      const { dir } = this.open(manifest.uploadId, manifest.key, true);
      return dir.commitPart(received.tmpPath, {
        partNumber,
        size: received.size,
        etag: received.md5Hex,
        lastModifiedMs: Date.now(),
        checksums,
      });
    } catch (e) {
      rmSync(received.tmpPath, { force: true });
      throw fsError(e);
    }
  }

  /**
   * Validates the part list at once (the caller answers a bad list with a
   * plain 4xx), then assembles. Retry-safe: the same list again, during or
   * after a success, gets the same result.
   */
  async complete(uploadId: string, key: string, listed: readonly ListedPart[], expected: ExpectedChecksum | null): Promise<CompletedUpload> {
    const fingerprint = partsFingerprint(listed);
    const running = this.completing.get(uploadId);
    if (running) await running.catch(() => {});
    const earlier = isUploadId(uploadId) ? this.markers.find(uploadId, key, fingerprint) : null;
    if (earlier) return earlier;
    const { dir, manifest } = this.open(uploadId, key, true);
    const records = validateParts(dir, listed);
    const job = this.assemble(dir, manifest, records, expected, fingerprint);
    this.completing.set(uploadId, job);
    try {
      return await job;
    } finally {
      this.completing.delete(uploadId);
    }
  }

  private async assemble(
    dir: UploadDir, manifest: Manifest, records: PartRecord[], expected: ExpectedChecksum | null, fingerprint: string,
  ): Promise<CompletedUpload> {
    const plan = planChecksums(manifest, records, expected);
    const dest = this.layout.pathOf(manifest.key);
    const outOfSlot = this.slots.inPlace(dir, manifest, records);
    const checksums = outOfSlot
      ? await this.sealInPlace(dir, manifest, records, outOfSlot, plan, dest)
      : await this.assembleCopy(dir, manifest, records, plan, dest);
    const etag = multipartEtag(records.map((r) => r.etag));
    this.bucket.recordWrite(manifest.key, dest, etag, { contentType: manifest.contentType, meta: manifest.meta, checksums });
    const result: CompletedUpload = { key: manifest.key, etag, checksums, checksumType: checksums ? manifest.checksumType : null };
    this.markers.record(manifest.uploadId, fingerprint, result);
    dir.remove();
    return result;
  }

  /** The data file becomes the object: fill the slots of parts kept apart, check, truncate, fsync, rename. */
  private async sealInPlace(
    dir: UploadDir, manifest: Manifest, records: PartRecord[], outOfSlot: OutOfSlot[], plan: ChecksumPlan, dest: string,
  ): Promise<Record<string, string> | null> {
    const size = records.reduce((sum, r) => sum + r.size, 0);
    if (renamedBeforeCrash(dir, manifest, dest, size)) return plan.finish(await checksumsOf(dest, size, plan.fullObject));
    const moves = outOfSlot.map(({ record, slotOffset }) => ({ path: dir.dataPath(record), size: record.size, at: slotOffset }));
    const kernelBytes = await fillSlots(dir.dataFile, moves);
    const moved = moves.reduce((sum, m) => sum + m.size, 0);
    // Checked before the truncation, so a BadDigest leaves the upload as it was.
    const checksums = plan.finish(await checksumsOf(dir.dataFile, size, plan.fullObject));
    await sealDataFile(dir.dataFile, size);
    renameInto(dir.dataFile, dest);
    this.onAssembled(manifest.key, size, kernelBytes, size - moved);
    return checksums;
  }

  /** Any other part list: concatenated into a temp file, each part read from its own file or its slot. */
  private async assembleCopy(
    dir: UploadDir, manifest: Manifest, records: PartRecord[], plan: ChecksumPlan, dest: string,
  ): Promise<Record<string, string> | null> {
    const sources: PartSource[] = records.map((r) =>
      r.offset === undefined ? dir.dataPath(r) : { path: dir.dataPath(r), start: r.offset, length: r.size });
    const assembled = await assembleParts(this.layout, sources, plan.fullObject);
    this.onAssembled(manifest.key, assembled.size, assembled.kernelBytes, 0);
    let checksums: Record<string, string> | null;
    try {
      checksums = plan.finish(assembled.checksums);
    } catch (e) {
      rmSync(assembled.tmpPath, { force: true });
      throw e;
    }
    commitTemp(assembled.tmpPath, dest);
    return checksums;
  }

  async abort(uploadId: string, key: string): Promise<void> {
    const running = this.completing.get(uploadId);
    if (running) await running.catch(() => {});
    this.open(uploadId, key, true).dir.remove();
  }

  listParts(uploadId: string, key: string, afterPart: number, maxParts: number): PartsPage {
    const { dir, manifest } = this.open(uploadId, key, false);
    const numbers = dir.partNumbers().filter((n) => n > afterPart);
    const parts = numbers.slice(0, maxParts).flatMap((n) => dir.part(n) ?? []);
    const isTruncated = numbers.length > maxParts;
    return { manifest, parts, isTruncated, nextMarker: parts.at(-1)?.partNumber ?? null };
  }

  private manifests(): Manifest[] {
    return namesIn(this.multipartDir)
      .filter(isUploadId)
      .flatMap((id) => UploadDir.of(this.multipartDir, id).manifest() ?? []);
  }

  listUploads(q: UploadListQuery): UploadListPage {
    return listUploadsPage(this.manifests(), q);
  }

  /** Removes uploads untouched for ABANDONED_UPLOAD_MS and old completed markers; returns how many uploads. */
  sweep(nowMs: number = Date.now()): number {
    let removed = 0;
    for (const id of namesIn(this.multipartDir).filter(isUploadId)) {
      if (this.busy.has(id) || this.completing.has(id)) continue;
      const dir = UploadDir.of(this.multipartDir, id);
      const touched = dir.lastTouchedMs();
      if (touched !== null && nowMs - touched > ABANDONED_UPLOAD_MS) {
        dir.remove();
        removed++;
      }
    }
    this.markers.sweep(COMPLETED_MARKER_MS, nowMs);
    return removed;
  }
}

/**
 * A Complete cut short after renaming the data file into place and before
 * recording its marker: the data file is gone and `dest` is that very file
 * (same inode, same size), so the retry only finishes the bookkeeping.
 */
function renamedBeforeCrash(dir: UploadDir, manifest: Manifest, dest: string, size: number): boolean {
  if (manifest.dataIno === undefined || existsSync(dir.dataFile)) return false;
  try {
    const st = statSync(dest);
    return st.ino === manifest.dataIno && st.size === size;
  } catch {
    return false;
  }
}

/** The records of the listed parts, in order, or the error S3 gives for the list. */
function validateParts(dir: UploadDir, listed: readonly ListedPart[]): PartRecord[] {
  if (listed.length === 0) throw new S3Error("MalformedXML", "You must specify at least one part.");
  listed.forEach((p, i) => {
    if (i > 0 && p.partNumber <= listed[i - 1]!.partNumber) throw new S3Error("InvalidPartOrder");
  });
  const records = listed.map((p) => {
    const record = dir.part(p.partNumber);
    const checksumDiffers = Object.entries(p.checksums).some(([a, v]) => record?.checksums[a] !== undefined && record.checksums[a] !== v);
    if (!record || record.etag !== p.etag || checksumDiffers)
      throw new S3Error("InvalidPart", undefined, { PartNumber: String(p.partNumber), ETag: p.etag });
    return record;
  });
  records.slice(0, -1).forEach((r) => {
    if (r.size < MIN_PART_SIZE)
      throw new S3Error("EntityTooSmall", undefined, {
        ProposedSize: String(r.size),
        MinSizeAllowed: String(MIN_PART_SIZE),
        PartNumber: String(r.partNumber),
      });
  });
  return records;
}

/**
 * Parts written straight at their final offsets (issue 11, SPEC §8): an
 * upload has one data file, and part n of a declared length ≤ S goes to
 * (n-1)*S, where S, the slot size, is the first declared part length. When
 * a Complete lists 1..n, all of size S but the last, the data file already
 * is the object: truncate, fsync, rename — no second write of every byte,
 * which on an SD card is most of a Complete's cost.
 *
 * A slot is claimed only while no record exists for its part number, so a
 * slot holding a committed part is never written again: a re-upload, a part
 * larger than S, a length unknown up front (chunked without a decoded
 * length) go to a file of their own, as before. Claims live in memory (a
 * part still streaming holds its slot; a failed one releases it) and become
 * durable as the part's record. After a crash a half-written slot has no
 * record, so it is simply claimed and overwritten by the retry.
 *
 * On a filesystem whose files cannot have holes (sparse-files.ts) no part is
 * slotted: every part goes to its own file.
 */
import { closeSync, fstatSync, openSync } from "node:fs";
import { dirname } from "node:path";
import { MIN_PART_SIZE } from "../../s3/limits.ts";
import { holdsHoles } from "./sparse-files.ts";
import type { Manifest, PartRecord, UploadDir } from "./upload-dir.ts";

/**
 * Parts far out (10,000 × 5 GiB is 50 TB) would need a sparse file beyond
 * what ext4 allows (16 TiB): those go to their own files.
 */
const MAX_SLOTTED_BYTES = 2 ** 40;

export interface Slot {
  offset: number;
  /** The declared length: writing more fails the part rather than spill into the next slot. */
  length: number;
  release(): void;
}

/** Where a part listed for Complete must be copied to sit at its slot. */
export interface OutOfSlot {
  record: PartRecord;
  slotOffset: number;
}

export class Slots {
  /** Upload id → part numbers whose slot a part still streaming holds. */
  private readonly claims = new Map<string, Set<number>>();
  /** Staging folder → whether its filesystem has holes: one statfs per folder, not per part. */
  private readonly holes = new Map<string, boolean>();

  /** `filesystemType`: statfs(2)'s f_type for a folder. */
  constructor(private readonly filesystemType: (dir: string) => number) {}

  /**
   * The slot part `partNumber` may be written to, claimed; null when it goes
   * to its own file. Synchronous, so two requests of this process never
   * both decide on the same slot (or both fix S); `opened` is the manifest
   * the caller read in the same tick, so it is the current one.
   */
  claim(dir: UploadDir, opened: Manifest, partNumber: number, declared: number | undefined): Slot | null {
    if (declared === undefined || !this.holesIn(dirname(dir.dir))) return null;
    let manifest = opened;
    if (manifest.slotSize === undefined) {
      // A small part numbered > 1 can only be a last part: it would make every other part too large for its slot.
      if (declared === 0 || (partNumber !== 1 && declared < MIN_PART_SIZE)) return null;
      manifest = fixSlotSize(dir, manifest, declared);
    }
    const offset = (partNumber - 1) * manifest.slotSize!;
    if (declared > manifest.slotSize! || offset + declared > MAX_SLOTTED_BYTES) return null;
    const id = manifest.uploadId;
    const held = this.claims.get(id) ?? new Set<number>();
    if (held.has(partNumber) || dir.part(partNumber)) return null;
    held.add(partNumber);
    this.claims.set(id, held);
    return {
      offset,
      length: declared,
      release: () => {
        held.delete(partNumber);
        if (held.size === 0 && this.claims.get(id) === held) this.claims.delete(id);
      },
    };
  }

  private holesIn(stagingDir: string): boolean {
    let holes = this.holes.get(stagingDir);
    if (holes === undefined) {
      holes = holdsHoles(this.filesystemType(stagingDir));
      this.holes.set(stagingDir, holes);
    }
    return holes;
  }

  /**
   * Whether Complete can seal the data file as the object: parts listed are
   * 1..n, each but the last of size S, no part still streaming into a slot
   * (it could write past the end after the rename), and no committed slot
   * part beyond n (the truncation would cut it off while the upload may yet
   * need it, should this Complete fail). Returns the listed parts that sit
   * in files of their own and must be copied into their slots first.
   */
  inPlace(dir: UploadDir, manifest: Manifest, records: readonly PartRecord[]): OutOfSlot[] | null {
    const size = manifest.slotSize;
    if (size === undefined || this.claims.has(manifest.uploadId)) return null;
    const n = records.length;
    const fits = records.every((r, i) => r.partNumber === i + 1 && (i < n - 1 ? r.size === size : r.size <= size));
    if (!fits || records.length * size > MAX_SLOTTED_BYTES) return null;
    const beyond = dir.partNumbers().filter((k) => k > n).some((k) => dir.part(k)?.offset !== undefined);
    if (beyond) return null;
    return records
      .filter((r) => r.offset === undefined)
      .map((record) => ({ record, slotOffset: (record.partNumber - 1) * size }));
  }
}

/** Creates the data file, then records S and its inode in the manifest (atomically) before any byte is written. */
function fixSlotSize(dir: UploadDir, manifest: Manifest, slotSize: number): Manifest {
  const fd = openSync(dir.dataFile, "a", 0o644);
  let dataIno: number;
  try {
    dataIno = fstatSync(fd).ino;
  } finally {
    closeSync(fd);
  }
  const fixed: Manifest = { ...manifest, slotSize, dataIno };
  dir.updateManifest(fixed);
  return fixed;
}

/**
 * In-memory stand-ins for the store and the library, behind the interfaces
 * handlers see (src/http/services.ts): the handler tests drive every HTTP
 * mapping through them without a disk. They keep the store's contract
 * (NoSuchKey, NoSuchUpload, 204 deletes, UTF-8 order, conditions on copy
 * sources), not its machinery.
 */
import { checkConditions } from "../../src/s3/conditionals.ts";
import { S3Error } from "../../src/s3/errors.ts";
import { compareUtf8 } from "../../src/text/utf8-order.ts";
import type { VerifiedBody } from "../../src/s3/verified-body.ts";
import type { BucketService, LibraryService, MultipartService, Services } from "../../src/http/services.ts";
import type { ObjectFields } from "../../src/store/bucket.ts";
import { deleteEach, type DeleteOutcome } from "../../src/store/delete-many.ts";
import type { CopyRequest } from "../../src/store/copy-object.ts";
import type { ListPage, ListQuery } from "../../src/store/listing.ts";
import type { Manifest, NewUpload, PartRecord } from "../../src/store/multipart/multipart.ts";
import type { ObjectRow } from "../../src/store/object-index.ts";

const md5 = (bytes: Uint8Array | string) => new Bun.CryptoHasher("md5").update(bytes).digest("hex");

/** 2026-01-02T03:04:05Z, a whole second. */
export const FAKE_TIME = Date.UTC(2026, 0, 2, 3, 4, 5);

export class FakeBucket implements BucketService {
  readonly objects = new Map<string, { row: ObjectRow; bytes: Uint8Array }>();

  seed(key: string, text: string, fields: Partial<ObjectFields> = {}): ObjectRow {
    const bytes = new TextEncoder().encode(text);
    const row: ObjectRow = {
      key, size: bytes.length, mtimeMs: FAKE_TIME, ino: 0, etag: md5(bytes), etagProvisional: false,
      contentType: fields.contentType ?? null, meta: fields.meta ?? null, checksums: fields.checksums ?? null,
    };
    this.objects.set(key, { row, bytes });
    return row;
  }

  head(key: string): ObjectRow {
    const found = this.objects.get(key);
    if (!found) throw new S3Error("NoSuchKey");
    return found.row;
  }

  open(key: string): { row: ObjectRow; body: Blob } {
    const row = this.head(key);
    return { row, body: new Blob([this.objects.get(key)!.bytes]) };
  }

  async put(key: string, body: VerifiedBody, fields: ObjectFields): Promise<ObjectRow> {
    const chunks: Uint8Array[] = [];
    for await (const chunk of body) chunks.push(chunk);
    const row = this.seed(key, Buffer.concat(chunks).toString("utf8"), fields);
    const sent = body.checksums();
    row.checksums = fields.checksums ?? (Object.keys(sent).length ? sent : null);
    return row;
  }

  putFolder(key: string): ObjectRow {
    return this.seed(key, "");
  }

  async copy(r: CopyRequest): Promise<ObjectRow> {
    const src = this.head(r.source.key);
    checkConditions(r.source.conditions, { etag: src.etag, lastModifiedMs: src.mtimeMs }, "copy");
    const fields = r.replace ?? { contentType: src.contentType, meta: src.meta };
    return this.seed(r.dest, Buffer.from(this.objects.get(src.key)!.bytes).toString("utf8"), { ...fields, checksums: src.checksums });
  }

  delete(key: string): void {
    this.objects.delete(key);
  }

  deleteMany(keys: readonly string[], onInternalError: (key: string, e: unknown) => void): DeleteOutcome {
    return deleteEach(keys, (key) => this.delete(key), onInternalError);
  }

  list(q: ListQuery): ListPage {
    const keys = [...this.objects.keys()].filter((k) => k.startsWith(q.prefix)).sort(compareUtf8);
    const objects: ObjectRow[] = [];
    const commonPrefixes: string[] = [];
    let last: string | null = null;
    let isTruncated = false;
    for (const key of keys) {
      const cut = q.delimiter ? key.indexOf(q.delimiter, q.prefix.length) : -1;
      const entry = cut < 0 ? key : key.slice(0, cut + q.delimiter.length);
      if (compareUtf8(entry, q.after) <= 0 || entry === last) continue;
      if (objects.length + commonPrefixes.length === q.maxKeys) {
        isTruncated = true;
        break;
      }
      if (cut < 0) objects.push(this.objects.get(key)!.row);
      else commonPrefixes.push(entry);
      last = entry;
    }
    return { objects, commonPrefixes, isTruncated, last };
  }
}

export class FakeMultipart implements MultipartService {
  readonly uploads = new Map<string, { manifest: Manifest; parts: Map<number, PartRecord> }>();
  private next = 0;

  private find(uploadId: string, key: string) {
    const upload = this.uploads.get(uploadId);
    if (!upload || upload.manifest.key !== key) throw new S3Error("NoSuchUpload", undefined, { UploadId: uploadId });
    return upload;
  }

  create(key: string, fields: NewUpload): Manifest {
    const manifest: Manifest = { uploadId: `upload-${++this.next}`, key, initiatedMs: FAKE_TIME, ...fields };
    this.uploads.set(manifest.uploadId, { manifest, parts: new Map() });
    return manifest;
  }

  async uploadPart(uploadId: string, key: string, partNumber: number, body: VerifiedBody): Promise<PartRecord> {
    const upload = this.find(uploadId, key);
    for await (const _ of body) {
    }
    const part: PartRecord = { partNumber, file: "", size: body.size, etag: body.md5, lastModifiedMs: FAKE_TIME, checksums: body.checksums() };
    upload.parts.set(partNumber, part);
    return part;
  }

  async copyPart(): Promise<PartRecord> {
    throw new S3Error("NotImplemented", "The fake does not copy parts.");
  }

  async complete(uploadId: string, key: string) {
    const upload = this.find(uploadId, key);
    this.uploads.delete(uploadId);
    return { key, etag: `${md5([...upload.parts.values()].map((p) => p.etag).join(""))}-${upload.parts.size}`, checksums: null, checksumType: null };
  }

  async abort(uploadId: string, key: string): Promise<void> {
    this.find(uploadId, key);
    this.uploads.delete(uploadId);
  }

  listParts(uploadId: string, key: string, afterPart: number, maxParts: number) {
    const upload = this.find(uploadId, key);
    const all = [...upload.parts.values()].filter((p) => p.partNumber > afterPart).sort((a, b) => a.partNumber - b.partNumber);
    const parts = all.slice(0, maxParts);
    return { manifest: upload.manifest, parts, isTruncated: all.length > maxParts, nextMarker: parts.at(-1)?.partNumber ?? null };
  }

  listUploads() {
    const uploads = [...this.uploads.values()].map((u) => u.manifest);
    return { uploads, commonPrefixes: [], isTruncated: false, nextKeyMarker: null, nextUploadIdMarker: null };
  }
}

export class FakeLibrary implements LibraryService {
  readonly tags = new Map<string, Record<string, string>>();
  tagsFor(key: string): Record<string, string> {
    return this.tags.get(key) ?? {};
  }
}

export function fakeServices(): Services & { bucket: FakeBucket; multipart: FakeMultipart; library: FakeLibrary } {
  return { bucket: new FakeBucket(), multipart: new FakeMultipart(), library: new FakeLibrary(), createdMs: FAKE_TIME, corsOrigins: ["*"] };
}

/**
 * What handlers may call, as interfaces: the store and the library behind
 * them are swapped for small in-memory fakes in the handler tests
 * (test/unit/handlers.test.ts), so each handler's HTTP mapping is tested
 * without a disk. main.ts passes the real Bucket, Multipart and library.
 */
import type { ByteRange } from "../s3/range.ts";
import type { VerifiedBody } from "../s3/verified-body.ts";
import type { ObjectFields } from "../store/bucket.ts";
import type { DeleteOutcome } from "../store/delete-many.ts";
import type { CopyRequest, CopySource } from "../store/copy-object.ts";
import type { ListPage, ListQuery } from "../store/listing.ts";
import type {
  CompletedUpload, ExpectedChecksum, ListedPart, Manifest, NewUpload, PartRecord, PartsPage,
} from "../store/multipart/multipart.ts";
import type { UploadListPage, UploadListQuery } from "../store/multipart/list-uploads.ts";
import type { ObjectRow } from "../store/object-index.ts";

export interface BucketService {
  /** The current row of a visible object; NoSuchKey otherwise. */
  head(key: string): ObjectRow;
  /** The row and its bytes (sliceable for ranges). */
  open(key: string): { row: ObjectRow; body: Blob };
  put(key: string, body: VerifiedBody, fields: ObjectFields): Promise<ObjectRow>;
  putFolder(key: string): ObjectRow;
  copy(r: CopyRequest): Promise<ObjectRow>;
  /** 204 semantics: a key that is not there is not an error. */
  delete(key: string): void;
  deleteMany(keys: readonly string[], onInternalError: (key: string, e: unknown) => void): DeleteOutcome;
  list(q: ListQuery): ListPage;
}

export interface MultipartService {
  create(key: string, fields: NewUpload): Manifest;
  uploadPart(uploadId: string, key: string, partNumber: number, body: VerifiedBody): Promise<PartRecord>;
  copyPart(uploadId: string, key: string, partNumber: number, source: CopySource, range: ByteRange | null): Promise<PartRecord>;
  complete(uploadId: string, key: string, listed: readonly ListedPart[], expected: ExpectedChecksum | null): Promise<CompletedUpload>;
  abort(uploadId: string, key: string): Promise<void>;
  listParts(uploadId: string, key: string, afterPart: number, maxParts: number): PartsPage;
  listUploads(q: UploadListQuery): UploadListPage;
}

export interface LibraryService {
  /** GetObjectTagging's tags for a key: the library's artist, album, title, genre, year (none when unknown). */
  tagsFor(key: string): Record<string, string>;
}

export interface Services {
  bucket: BucketService;
  multipart: MultipartService;
  library: LibraryService;
  /** When the bucket was created, for ListBuckets. */
  createdMs: number;
  /** Origins whose pages may call us (s3_cors_origins); ["*"] for any. */
  corsOrigins: readonly string[];
}

/**
 * AWS limits we honour, in one place.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 */
export const REGION = "us-east-1";
export const BUCKET = "music";
export const SERVICE = "s3";

/** Single PUT cap (SPEC §4; upstream's limit). Multipart objects have no cap. */
export const MAX_PUT_SIZE = 2 * 1024 ** 3;
/** AWS: a part is 5 MiB to 5 GiB; every part but the last at least 5 MiB. */
export const MIN_PART_SIZE = 5 * 1024 ** 2;
export const MAX_PART_SIZE = 5 * 1024 ** 3;
export const MAX_PART_NUMBER = 10_000;
export const MAX_KEYS = 1000;
export const MAX_KEY_BYTES = 1024;
export const MAX_SEGMENT_BYTES = 255;
/** DeleteObjects takes at most 1000 keys. */
export const MAX_DELETE_KEYS = 1000;
/** XML request bodies (DeleteObjects, CompleteMultipartUpload) are small; refuse more. */
export const MAX_XML_BODY = 2 * 1024 ** 2;
/** SigV4: the request time may differ from ours by at most 15 minutes. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
/** Presigned URLs live at most 7 days. */
export const MAX_PRESIGN_EXPIRES = 604_800;
/** Multipart uploads untouched this long are removed. */
export const ABANDONED_UPLOAD_MS = 24 * 3600 * 1000;

/** Bucket-level operations that have nothing to list. */
import { BUCKET, REGION } from "../../s3/limits.ts";
import type { Handler } from "../context.ts";
import { empty, xml } from "../result.ts";

export const headBucket: Handler = () => empty(200, { "x-amz-bucket-region": REGION });

/** us-east-1 is reported as an empty LocationConstraint. */
export const getBucketLocation: Handler = () => xml("LocationConstraint", {});

/** Versioning was never enabled: an empty configuration. */
export const getBucketVersioning: Handler = () => xml("VersioningConfiguration", {});

/** The bucket always exists and is yours; us-east-1 answers 200 to a repeat create. */
export const createBucket: Handler = () => empty(200, { Location: `/${BUCKET}` });

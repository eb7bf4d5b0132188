/**
 * The bucket's CORS rules are s3_cors_origins in settings.toml, not a
 * document a client uploads: GetBucketCors shows them as the one rule
 * cors.ts applies; Put and Delete say where to change them.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketCors.html
 */
import { S3Error } from "../../s3/errors.ts";
import type { Handler } from "../context.ts";
import { CORS_EXPOSE_HEADERS, CORS_MAX_AGE, CORS_METHODS } from "../cors.ts";
import { xml } from "../result.ts";

export const getBucketCors: Handler = (ctx) =>
  xml("CORSConfiguration", {
    CORSRule: {
      AllowedHeader: "*",
      AllowedMethod: [...CORS_METHODS],
      AllowedOrigin: [...ctx.services.corsOrigins],
      ExposeHeader: [...CORS_EXPOSE_HEADERS],
      MaxAgeSeconds: CORS_MAX_AGE,
    },
  });

const setInSettings: Handler = () => {
  throw new S3Error("NotImplemented", "CORS rules come from s3_cors_origins in settings.toml; change them there and restart.");
};

export const putBucketCors = setInSettings;
export const deleteBucketCors = setInSettings;

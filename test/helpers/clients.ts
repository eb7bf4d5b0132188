/** Real S3 clients pointed at a test server, with their default settings. */
import { S3Client } from "@aws-sdk/client-s3";
import { ACCESS_KEY, SECRET_KEY, type TestServer } from "./server.ts";

export function sdkClient(server: Pick<TestServer, "url">, overrides: Partial<ConstructorParameters<typeof S3Client>[0]> = {}): S3Client {
  return new S3Client({
    endpoint: server.url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
    ...overrides,
  });
}

export function bunS3(server: Pick<TestServer, "url">): Bun.S3Client {
  return new Bun.S3Client({ endpoint: server.url, accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY, bucket: "music", region: "us-east-1" });
}

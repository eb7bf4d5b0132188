// The Node.js peer: s3rver serving bucket "music" from a folder, on a free port.
import S3rver from "s3rver";

const dir = process.argv[2];
const server = new S3rver({ port: 0, address: "127.0.0.1", directory: dir, silent: true, configureBuckets: [{ name: "music" }] });
const { address, port } = await server.run();
console.log(`listening on http://${address}:${port}`);
process.on("SIGTERM", () => server.close().then(() => process.exit(0)));

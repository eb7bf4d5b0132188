/**
 * Where things live on disk. The bucket maps 1:1 onto music_dir; our own
 * working files live in one hidden folder inside it, on the same filesystem,
 * so that renaming a finished upload into place is atomic.
 */
import { join } from "node:path";
import { S3Error } from "../s3/errors.ts";
import { isWorkPath, WORK_DIR_NAME } from "../music-dir/index.ts";

export { isWorkPath, WORK_DIR_NAME };

export class Layout {
  readonly workDir: string;
  readonly tmpDir: string;
  readonly multipartDir: string;

  constructor(readonly musicDir: string) {
    this.workDir = join(musicDir, WORK_DIR_NAME);
    this.tmpDir = join(this.workDir, "tmp");
    this.multipartDir = join(this.workDir, "multipart");
  }

  /** The file or folder of a validated key ("a/b/" → folder a/b). */
  pathOf(key: string): string {
    if (isWorkPath(key)) throw new S3Error("InvalidObjectName", `Keys under ${WORK_DIR_NAME}/ are reserved.`);
    return join(this.musicDir, key.endsWith("/") ? key.slice(0, -1) : key);
  }

  newTempPath(): string {
    return join(this.tmpDir, `${Date.now()}-${crypto.randomUUID()}.part`);
  }
}

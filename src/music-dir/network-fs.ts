/**
 * Is music_dir on a network filesystem? There inotify only sees local
 * changes, so the periodic reconcile runs at the short interval.
 */
import { readFileSync, realpathSync } from "node:fs";

const NETWORK_TYPES = new Set([
  "nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "9p", "ceph", "glusterfs", "lustre", "davfs",
  "fuse.sshfs", "fuse.rclone", "fuse.s3fs", "fuse.davfs2", "fuse.glusterfs", "fuse.ceph",
]);

/** The filesystem type of the mount holding `path`, from /proc/mounts (undefined off Linux). */
export function filesystemType(path: string, mounts = readMounts()): string | undefined {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    real = path;
  }
  let best: { point: string; type: string } | undefined;
  for (const line of mounts.split("\n")) {
    const [, rawPoint, type] = line.split(" ");
    if (!rawPoint || !type) continue;
    // /proc/mounts escapes space, tab, newline and backslash as octal.
    const point = rawPoint.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    const inside = real === point || real.startsWith(point.endsWith("/") ? point : `${point}/`);
    if (inside && (!best || point.length >= best.point.length)) best = { point, type };
  }
  return best?.type;
}

export function isNetworkFilesystem(path: string, mounts?: string): boolean {
  const type = filesystemType(path, mounts);
  return type !== undefined && NETWORK_TYPES.has(type);
}

function readMounts(): string {
  try {
    return readFileSync("/proc/mounts", "utf8");
  } catch {
    return "";
  }
}

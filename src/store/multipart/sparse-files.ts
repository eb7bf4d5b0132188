/**
 * Whether the staging folder's filesystem leaves a hole where nothing was
 * written, told by statfs(2)'s f_type. Slots (slots.ts) write a part at its
 * final offset; where files cannot have holes, a write past the end makes
 * the kernel first write zeros up to it (FAT, exFAT and HFS+ go through
 * cont_write_begin; NTFS writes zeros from a file's valid data length unless
 * the file is sparse), and FAT32 refuses any offset past 4 GiB. There every
 * part goes to a file of its own and Complete assembles them with
 * copy_file_range, as before slots.
 */

/** f_type values (include/uapi/linux/magic.h; ntfs3's own from fs/ntfs3/super.c) of filesystems without holes. */
const NO_HOLES: ReadonlyMap<number, string> = new Map([
  [0x4d44, "msdos/vfat (FAT12/16/32)"],
  [0x2011bab0, "exfat"],
  // ntfs3 makes new files sparse only when mounted with `sparse` (off by default).
  [0x7366746e, "ntfs3"],
  [0x5346544e, "ntfs"],
  [0x482b, "hfsplus"],
  [0x4244, "hfs"],
  // Every FUSE mount reports this one: fuseblk's exfat-fuse and ntfs-3g cannot be told from each other (or from
  // sshfs) by statfs, and a part in its own file is right everywhere; it only costs Complete a copy.
  [0x65735546, "fuse/fuseblk"],
]);

export function holdsHoles(fsType: number): boolean {
  return !NO_HOLES.has(fsType);
}

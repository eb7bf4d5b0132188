/**
 * Which filesystems get slotted multipart parts (src/store/multipart/sparse-files.ts),
 * by statfs(2) f_type as the kernel reports it (include/uapi/linux/magic.h,
 * fs/ntfs3/super.c's s_magic).
 */
import { describe, expect, test } from "bun:test";
import { holdsHoles } from "../../src/store/multipart/sparse-files.ts";

describe("holdsHoles", () => {
  test.each([
    ["ext2/3/4", 0xef53],
    ["xfs", 0x58465342],
    ["btrfs", 0x9123683e],
    ["f2fs", 0xf2f52010],
    ["tmpfs", 0x01021994],
    ["zfs", 0x2fc12fc1],
    ["overlayfs", 0x794c7630],
  ])("%s has holes: parts go to their slots", (_name, type) => {
    expect(holdsHoles(type)).toBe(true);
  });

  test.each([
    ["msdos/vfat (MSDOS_SUPER_MAGIC)", 0x4d44],
    ["exfat (EXFAT_SUPER_MAGIC)", 0x2011bab0],
    ["ntfs3", 0x7366746e],
    ["ntfs (NTFS_SB_MAGIC)", 0x5346544e],
    ["hfsplus", 0x482b],
    ["hfs", 0x4244],
    ["fuse and fuseblk (FUSE_SUPER_MAGIC)", 0x65735546],
  ])("%s has none: parts go to their own files", (_name, type) => {
    expect(holdsHoles(type)).toBe(false);
  });
});

/**
 * copy_file_range(2) through bun:ffi: the kernel moves bytes from one file
 * to another without a trip through our memory, and on a filesystem that
 * shares extents (btrfs, XFS) it may reflink them instead.
 * https://man7.org/linux/man-pages/man2/copy_file_range.2.html
 *
 *   ssize_t copy_file_range(int fd_in, off_t *off_in, int fd_out,
 *                           off_t *off_out, size_t len, unsigned int flags);
 *
 * With an offset pointer NULL it reads (writes) at that descriptor's file
 * offset and advances it, like read(2)/write(2), so a caller can fall back
 * to reading and writing from where it stopped; with a pointer it uses and
 * advances the pointed-to offset instead and leaves the descriptor's alone
 * (a range of a multipart upload's shared data file). It may copy fewer
 * bytes than asked, returns 0 at end of input, and on failure -1 with errno
 * (read through glibc's __errno_location, thread-local, on this same thread).
 */
import { dlopen, FFIType, read } from "bun:ffi";

/** The errno values the man page lists that mean "this pair of files cannot use it". */
const UNSUPPORTED = new Set([
  18, // EXDEV: different filesystems (refused again since Linux 5.19)
  22, // EINVAL: a filesystem without support, or flags/fd kinds it refuses
  38, // ENOSYS: kernel older than 4.5
  95, // EOPNOTSUPP: the filesystem does not support the operation
]);
/** Worth another try at once: interrupted by a signal, or a lease/lock in the way. */
const RETRY = new Set([4 /* EINTR */, 11 /* EAGAIN */]);

/** Explicit offsets (bytes): the kernel reads/writes there instead of at the descriptor's offset. */
export interface Offsets {
  in?: number;
  out?: number;
}

type Native = { copy: (inFd: number, inOff: BigInt64Array | null, outFd: number, outOff: BigInt64Array | null, len: number) => number; errno: () => number };

function load(): Native | null {
  if (process.platform !== "linux") return null;
  try {
    const { symbols } = dlopen("libc.so.6", {
      copy_file_range: {
        args: [FFIType.i32, FFIType.ptr, FFIType.i32, FFIType.ptr, FFIType.u64, FFIType.u32],
        returns: FFIType.i64_fast,
      },
      __errno_location: { args: [], returns: FFIType.ptr },
    });
    return {
      copy: (inFd, inOff, outFd, outOff, len) => Number(symbols.copy_file_range(inFd, inOff, outFd, outOff, len, 0)),
      errno: () => read.i32(symbols.__errno_location()!, 0),
    };
  } catch {
    return null; // no glibc (musl, another OS) or no FFI: callers use read/write
  }
}

let native: Native | null | undefined;

/** Whether the kernel copy can be tried here at all (glibc's libc.so.6 loads through FFI). */
export function kernelCopyAvailable(): boolean {
  native ??= load();
  return native !== null;
}

/**
 * Copies up to `len` bytes from `inFd`'s offset to `outFd`'s offset (or the
 * explicit `offsets`), looping
 * over short copies and EINTR/EAGAIN. Returns the bytes copied (less than
 * `len` only at end of input), or null when the kernel copy cannot serve
 * this pair of files before any byte moved — then read/write from the same
 * offsets. Any other failure is thrown as an errno-coded Error.
 */
export function copyFileRange(inFd: number, outFd: number, len: number, offsets: Offsets = {}): number | null {
  if (!kernelCopyAvailable()) return null;
  // The kernel advances these itself after each (possibly short) copy.
  const inOff = offsets.in === undefined ? null : BigInt64Array.of(BigInt(offsets.in));
  const outOff = offsets.out === undefined ? null : BigInt64Array.of(BigInt(offsets.out));
  let done = 0;
  while (done < len) {
    const n = native!.copy(inFd, inOff, outFd, outOff, len - done);
    if (n > 0) {
      done += n;
      continue;
    }
    if (n === 0) break;
    const errno = native!.errno();
    if (RETRY.has(errno)) continue;
    if (done === 0 && UNSUPPORTED.has(errno)) return null;
    throw Object.assign(new Error(`copy_file_range failed: errno ${errno}`), { errno: -errno, code: errnoCode(errno), syscall: "copy_file_range" });
  }
  return done;
}

const CODES: Record<number, string> = { 5: "EIO", 9: "EBADF", 27: "EFBIG", 28: "ENOSPC", 122: "EDQUOT" };
const errnoCode = (errno: number) => CODES[errno] ?? `E${errno}`;

/**
 * The music folder itself: where our working folder is, which files are
 * music, how a file's identity is compared, the walk, the watch and the
 * debounce. It imports nothing of ours; the store and the library follow it.
 */
export { AUDIO_EXTENSIONS, extensionOf, isAudioPath } from "./audio.ts";
export { fileIdentity, onlyInodeMoved, sameIdentity, sameLook, statOrNull, statPath, type FileIdentity, type Look } from "./identity.ts";
export type { Log } from "./log.ts";
export { isNetworkFilesystem } from "./network-fs.ts";
export { MusicDir, type Change, type Follower, type MusicDirOptions } from "./music-dir.ts";
export { walkTree, type WalkEntry, type WalkOptions } from "./walk.ts";
export { FolderWatcher, type WatchFn } from "./watcher.ts";
export { isWorkPath, WORK_DIR_NAME } from "./work-dir.ts";

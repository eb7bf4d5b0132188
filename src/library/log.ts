/** The library logs through the process logger (src/log.ts). */
export type { Logger as Log } from "../log.ts";
export { silentLogger as silentLog } from "../log.ts";

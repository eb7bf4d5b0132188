/**
 * Loaded before every test file (bunfig.toml). End-to-end tests start real
 * servers and real clients; on a loaded 2-core machine 5 s is too short, and
 * Bun 1.4 ignores bunfig's [test] timeout, so the default is set here.
 */
import { setDefaultTimeout } from "bun:test";

setDefaultTimeout(60_000);

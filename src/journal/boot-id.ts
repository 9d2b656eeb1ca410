import { readFileSync } from 'node:fs';

let cached: string | undefined;

/**
 * The host boot id, read once: with the pid it tells which process in which
 * boot wrote a record, and a new one tells a writer that /run was wiped.
 * VCSTORE_BOOT_ID_FILE points elsewhere, for a runtime whose /proc is not the
 * host's, and for tests that simulate a reboot.
 */
export function bootId(): string {
  if (cached === undefined) {
    const file = process.env.VCSTORE_BOOT_ID_FILE || '/proc/sys/kernel/random/boot_id';
    try {
      cached = readFileSync(file, 'utf8').trim() || 'unknown';
    } catch {
      cached = 'unknown';
    }
  }
  return cached;
}

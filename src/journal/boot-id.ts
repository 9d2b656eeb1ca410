import { readFileSync } from 'node:fs';

const BOOT_ID = '/proc/sys/kernel/random/boot_id';
let cached: { file: string; id: string } | undefined;

/**
 * The host boot id, read once per source: with the pid it tells which process in which
 * boot wrote a record, and a new one tells a writer that /run was wiped.
 * VCSTORE_BOOT_ID_FILE points elsewhere, for a runtime whose /proc is not the
 * host's, and for tests that pin a boot or simulate a reboot.
 */
export function bootId(): string {
  const file = process.env.VCSTORE_BOOT_ID_FILE || BOOT_ID;
  if (cached?.file !== file) {
    let id: string;
    try {
      id = readFileSync(file, 'utf8').trim() || 'unknown';
    } catch {
      id = 'unknown';
    }
    cached = { file, id };
  }
  return cached.id;
}

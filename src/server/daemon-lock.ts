import path from 'node:path';
import lockfile from 'proper-lockfile';
import { errDaemon } from '../errors.ts';
import { ensureJournalRoot, LOCKS_DIR } from '../layout/journals.ts';
import type { Logger } from '../log.ts';
import { errnoOf } from '../fs/missing.ts';

/** '@' is not an ID character: no sandbox lock can take this name. */
const DAEMON_LOCK = '@daemon';

const staleMs = () => Math.max(2000, Number(process.env.VCSTORE_LOCK_STALE_MS) || 10_000);

/**
 * One daemon per root. The lock is refreshed while the daemon lives; a
 * daemon that was killed leaves a lock that goes stale, so a restart waits
 * at most that long (VCSTORE_LOCK_STALE_MS, as for the writer locks).
 */
export async function lockRoot(journalRoot: string, log: Logger): Promise<() => Promise<void>> {
  await ensureJournalRoot(journalRoot);
  const stale = staleMs();
  const lockfilePath = path.join(journalRoot, LOCKS_DIR, DAEMON_LOCK);
  try {
    return await lockfile.lock(path.join(journalRoot, DAEMON_LOCK), {
      realpath: false,
      lockfilePath,
      stale,
      retries: { retries: Math.ceil(stale / 100) + 10, factor: 1, minTimeout: 100, maxTimeout: 100 },
      onCompromised: (err) => log.error({ err, lockfilePath }, 'daemon lock compromised'),
    });
  } catch (err) {
    if (errnoOf(err) !== 'ELOCKED') throw err;
    throw errDaemon(`another vcstore serve holds this root (${lockfilePath} is locked and fresh)`, err);
  }
}

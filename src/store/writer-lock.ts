import path from 'node:path';
import lockfile from 'proper-lockfile';
import { StoreError } from '../errors.ts';
import { failpoint } from '../failpoints.ts';
import { ensureJournalRoot, LOCKS_DIR } from '../layout/journals.ts';
import type { Logger } from '../log.ts';

/**
 * How long a dead writer's lock blocks the others. A live writer refreshes
 * its lock every stale/2; a lock left by a killed process is taken over after
 * this long. VCSTORE_LOCK_STALE_MS trades recovery time against tolerance of
 * a stalled host (at least 2000).
 */
const staleMs = () => Math.max(2000, Number(process.env.VCSTORE_LOCK_STALE_MS) || 10_000);

export interface WriterLock {
  /** Throws ECOMPROMISED if the lock was lost (taken over as stale) while held. */
  check(): void;
  release(): Promise<void>;
}

/** The cross-process writer lock of one sandbox: a folder `@locks/<sandbox>` made by proper-lockfile. */
export async function lockSandbox(journalRoot: string, sandboxID: string, log: Logger): Promise<WriterLock> {
  let lost: Error | undefined;
  await ensureJournalRoot(journalRoot);
  const lockfilePath = path.join(journalRoot, LOCKS_DIR, sandboxID);
  let release: () => Promise<void>;
  const stale = staleMs();
  const take = () =>
    lockfile.lock(path.join(journalRoot, sandboxID), {
      realpath: false,
      lockfilePath,
      stale,
      // Keep trying for longer than a dead holder's lock takes to go stale.
      // Waiters poll (proper-lockfile has no queue): often enough that a handover costs little.
      retries: { retries: Math.ceil((2 * stale) / 25) + 20, factor: 1.3, minTimeout: 1, maxTimeout: 25 },
      onCompromised: (err) => {
        lost = err;
        log.error({ sandbox: sandboxID, err }, 'sandbox lock compromised');
      },
    });
  try {
    release = await take().catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
      await ensureJournalRoot(journalRoot, true); // removed since this process made it
      return take();
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
    throw new StoreError('ELOCKED', `sandbox ${sandboxID} is locked by another writer (${lockfilePath})`, { cause: err });
  }
  failpoint('lock-acquired');
  return {
    check() {
      if (lost) throw new StoreError('ECOMPROMISED', `the lock of sandbox ${sandboxID} was lost: ${lost.message}`, { cause: lost });
    },
    async release() {
      await release().catch((err) => {
        // Already released or taken over: the write itself was checked before it happened.
        log.warn({ sandbox: sandboxID, err }, 'sandbox lock release failed');
      });
    },
  };
}

import { stat } from 'node:fs/promises';
import path from 'node:path';
import { stateAt } from '../audit/state-at.ts';
import { isStoreError } from '../errors.ts';
import { journaledSandboxes } from '../layout/journals.ts';
import { journalFile, type Roots } from '../layout/roots.ts';
import { silentLogger, type Logger } from '../log.ts';
import { WriterSession } from '../store/session/session.ts';
import { readCursor, removeCursor, shippingConfigured } from './cursor.ts';
import { fileExists } from '../fs/missing.ts';
import { confirmShipped, type ReadBack } from './read-back.ts';

export interface PruneOptions {
  /** journals of sandboxes deleted before this time (ISO 8601) may go */
  cutoff: string;
  dryRun?: boolean;
  log?: Logger;
  /** reads a shipped journal back from the stream before it goes; without it a shipped journal is kept */
  readBack?: ReadBack | undefined;
}

export interface PruneVerdict {
  sandbox: string;
  action: 'removed' | 'would remove' | 'kept';
  /** why it was kept, or what made it safe to remove */
  reason: string;
  events: number;
  /** journal folder size */
  bytes: number;
}

/**
 * Removes the journal and checkpoint of each sandbox that was deleted before
 * the cutoff, has nothing left in the legacy tree and, when this root is
 * shipped, has every event acknowledged by the stream. Anything else is kept,
 * with the reason.
 */
export async function prune(roots: Roots, opts: PruneOptions): Promise<PruneVerdict[]> {
  const shipped = await shippingConfigured(roots);
  const verdicts: PruneVerdict[] = [];
  for (const sandbox of await journaledSandboxes(roots)) {
    const file = journalFile(roots, sandbox);
    const bytes = await folderBytes(path.dirname(file));
    const { keep, events } = await judge(roots, sandbox, shipped, opts.cutoff);
    if (keep !== undefined) {
      verdicts.push({ sandbox, action: 'kept', reason: keep, events, bytes });
      continue;
    }
    const reason = `deleted before ${opts.cutoff}, nothing left in the legacy tree${shipped ? (opts.dryRun ? ', every event acknowledged by the stream (read back before removal)' : ', every event read back from the stream') : ''}`;
    if (!opts.dryRun) {
      const removed = await removeJournal(roots, sandbox, events, opts.log ?? silentLogger, shipped ? opts : undefined);
      if (removed !== undefined) {
        verdicts.push({ sandbox, action: 'kept', reason: removed, events, bytes });
        continue;
      }
    }
    verdicts.push({ sandbox, action: opts.dryRun ? 'would remove' : 'removed', reason, events, bytes });
  }
  return verdicts;
}

/** Why a sandbox's journal must stay, or undefined when it may go. */
async function judge(
  roots: Roots,
  sandbox: string,
  shipped: boolean,
  cutoff: string,
): Promise<{ keep?: string; events: number }> {
  let replay;
  try {
    replay = await stateAt(journalFile(roots, sandbox));
  } catch (err) {
    if (!isStoreError(err)) throw err;
    return { keep: `journal unreadable (${err.code}): run verify`, events: 0 };
  }
  const { model, last, count } = replay;
  if (last === undefined) return { keep: 'no events yet', events: 0 };
  if (model.dirs.size > 0 || model.files.size > 0) return { keep: 'live: not deleted', events: count };
  if (last.time >= cutoff) return { keep: `deleted at ${last.time}, not before the cutoff ${cutoff}`, events: count };
  for (const root of [roots.config, roots.run]) {
    const left = path.join(root, sandbox);
    if (await fileExists(left)) return { keep: `${left} is still in the legacy tree`, events: count };
  }
  if (shipped) {
    const cursor = await readCursor(roots, sandbox);
    const acked = cursor?.seq ?? 0;
    if (acked < last.seq)
      return { keep: `${last.seq - acked} of ${last.seq} events not acknowledged by the stream`, events: count };
  }
  return { events: count };
}

/**
 * Retired through the sandbox's writer session, under its lock, so no writer
 * appends while the folder goes (and a live one reopens after); the journal
 * is re-read first in case one did just before. Returns why it was kept after
 * all, or undefined once removed.
 */
async function removeJournal(
  roots: Roots,
  sandbox: string,
  events: number,
  log: Logger,
  shipped?: PruneOptions,
): Promise<string | undefined> {
  const session = new WriterSession(roots, sandbox, log);
  try {
    const keep = async (file: string) => {
      const now = await stateAt(file);
      if (now.count !== events) return 'written to while pruning';
      const unconfirmed = shipped && (await confirmShipped(shipped.readBack, roots, sandbox));
      return unconfirmed || undefined;
    };
    const kept = await session.retire(keep, () => removeCursor(roots, sandbox));
    if (kept === undefined) log.info({ sandbox, events }, 'journal pruned');
    return kept;
  } catch (err) {
    if (isStoreError(err, 'ELOCKED')) return 'a writer holds it';
    throw err;
  } finally {
    await session.close();
  }
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of ['journal.log', 'checkpoint.json'])
    total += await stat(path.join(dir, name)).then(
      (s) => s.size,
      () => 0,
    );
  return total;
}

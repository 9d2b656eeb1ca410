import { writeJournal } from '../journal/restore.ts';
import { ensureJournalRoot, journaledSandboxes } from '../layout/journals.ts';
import { journalFile, type Roots } from '../layout/roots.ts';
import { silentLogger, type Logger } from '../log.ts';
import { StoreError } from '../errors.ts';
import { Store } from '../store/store.ts';
import { writeCursor } from './cursor.ts';
import { remoteSandboxes } from './remote-events.ts';
import { bodiesOf, type Remote } from './remote.ts';
import { sandboxSubject } from './subject.ts';

export interface RestoredSandbox {
  sandbox: string;
  seq: number;
  head: string;
  /** legacy files the recovery wrote */
  rebuilt: string[];
}

/**
 * Rebuilds a lost host from the stream: each sandbox's journal with the
 * original records (chain checked), then its legacy tree through the store's
 * own recovery. The root must hold no journal yet. The cursors say every event
 * is shipped, so `ship --host` can carry on the same history.
 */
export async function restoreHost(remote: Remote, roots: Roots, log: Logger = silentLogger): Promise<RestoredSandbox[]> {
  if ((await journaledSandboxes(roots)).length > 0) {
    throw new StoreError('EUSAGE', `${roots.journal} already holds journals: restore only into an empty root`);
  }
  const ids = await remoteSandboxes(remote.jsm, remote.stream, remote.prefix, remote.host);
  if (ids.length === 0) throw new StoreError('ESTREAM', `stream ${remote.stream} holds nothing for host ${remote.host}`);
  await ensureJournalRoot(roots.journal); // made as a writer makes it: parents 0750, the root 0700
  const restored: RestoredSandbox[] = [];
  const store = new Store({ roots, log });
  try {
    for (const sandbox of ids) {
      const { seq, head } = await writeJournal(journalFile(roots, sandbox), bodiesOf(remote, sandbox));
      const recovery = await store.recover(sandbox);
      const last = await remote.jsm.streams.getMessage(remote.stream, { last_by_subj: subjectOf(remote, sandbox) });
      await writeCursor(roots, sandbox, { stream: remote.stream, host: remote.host, seq, streamSeq: last?.seq ?? 0 });
      log.info({ sandbox, seq }, 'sandbox restored');
      restored.push({ sandbox, seq, head, rebuilt: recovery.rebuilt });
    }
  } finally {
    await store.close();
  }
  return restored;
}

const subjectOf = (remote: Remote, sandbox: string) => sandboxSubject(remote.prefix, remote.host, sandbox);

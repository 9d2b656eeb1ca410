import { mkdir } from 'node:fs/promises';
import { ensureJournalRoot, journaledSandboxes } from '../layout/journals.ts';
import type { Roots } from '../layout/roots.ts';
import { silentLogger, type Logger } from '../log.ts';
import { errStream, errUsage } from '../errors.ts';
import { WriterSession } from '../store/session/session.ts';
import { writeCursor } from './cursor.ts';
import { remoteBodies, remoteSandboxes } from './remote-events.ts';
import type { Remote } from './remote.ts';

export interface RestoredSandbox {
  sandbox: string;
  seq: number;
  head: string;
  /** legacy files the recovery wrote */
  rebuilt: string[];
}

/**
 * Rebuilds a lost host from the stream: each sandbox's journal with the
 * original records (chain checked), then its legacy tree as the replay of that
 * journal, through the sandbox's writer session. The root must hold no journal yet.
 * The cursors say every event is shipped, so `ship --host` can carry on the
 * same history.
 *
 * Not Store.recover: on a machine with another boot ID it would record a
 * reboot and clear the run state, and the tree must be the lost host's as it
 * was. The first writer that opens a sandbox here records that reboot, as on
 * any host after a restart.
 */
export async function restoreHost(
  remote: Remote,
  roots: Roots,
  log: Logger = silentLogger,
): Promise<RestoredSandbox[]> {
  if ((await journaledSandboxes(roots)).length > 0) {
    throw errUsage(`${roots.journal} already holds journals: restore only into an empty root`);
  }
  const ids = await remoteSandboxes(remote.jsm, remote.stream, remote.prefix, remote.host);
  if (ids.length === 0) throw errStream(`stream ${remote.stream} holds nothing for host ${remote.host}`);
  await ensureJournalRoot(roots.journal); // made as a writer makes it: parents 0750, the root 0700
  for (const root of [roots.config, roots.run]) await mkdir(root, { recursive: true, mode: 0o750 });
  const restored: RestoredSandbox[] = [];
  for (const sandbox of ids) {
    let streamSeq = 0; // of the last message restored: the cursor's, even if the stream grew meanwhile
    const bodies = async function* () {
      for await (const { body, streamSeq: at } of remoteBodies({ ...remote, sandbox })) {
        streamSeq = at;
        yield body;
      }
    };
    const { seq, head, rebuilt } = await restoreSandbox(roots, sandbox, bodies(), log);
    await writeCursor(roots, sandbox, { stream: remote.stream, host: remote.host, seq, streamSeq });
    log.info({ sandbox, seq }, 'sandbox restored');
    restored.push({ sandbox, seq, head, rebuilt });
  }
  return restored;
}

/** The journal and tree of one sandbox, written through its writer session, under its lock. */
async function restoreSandbox(roots: Roots, sandbox: string, bodies: AsyncIterable<Uint8Array>, log: Logger) {
  const session = new WriterSession(roots, sandbox, log);
  try {
    return await session.restore(bodies);
  } finally {
    await session.close();
  }
}

import { isStoreError } from '../errors.ts';
import { readEvents } from '../journal/reader.ts';
import { canonicalBody, hashBody } from '../journal/record.ts';
import { journaledSandboxes } from '../layout/journals.ts';
import { journalFile, type Roots } from '../layout/roots.ts';
import { remoteBodies } from './remote-events.ts';
import type { Remote } from './remote.ts';

export interface AgainstVerdict {
  sandbox: string;
  /** events in the local journal */
  local: number;
  /** events the stream holds for it (0: never shipped) */
  shipped: number;
  /** the journal and the stream agree on every event both hold */
  consistent: boolean;
  /** the first disagreement, or why the stream's copy could not be read */
  problem?: string;
}

/**
 * Compares each local journal with what the host shipped: every event both
 * hold must have the same bytes (hash). A journal rewritten end to end with a
 * valid chain passes a local `verify`, but not this: the stream is the
 * outside record. Events not shipped yet are lag, not a finding; a stream
 * that holds more than the journal means the host lost events.
 */
export async function verifyAgainst(remote: Remote, roots: Roots, only?: string): Promise<AgainstVerdict[]> {
  const verdicts: AgainstVerdict[] = [];
  for (const sandbox of only !== undefined ? [only] : await journaledSandboxes(roots)) {
    const local: string[] = [];
    for await (const { offset: _offset, ...event } of readEvents(journalFile(roots, sandbox)))
      local.push(hashBody(canonicalBody(event)));
    verdicts.push(await compare(remote, sandbox, local));
  }
  return verdicts;
}

async function compare(remote: Remote, sandbox: string, local: string[]): Promise<AgainstVerdict> {
  const verdict = (shipped: number, problem?: string): AgainstVerdict => ({
    sandbox,
    local: local.length,
    shipped,
    consistent: problem === undefined,
    ...(problem === undefined ? {} : { problem }),
  });
  let shipped = 0;
  try {
    for await (const { event, body, streamSeq } of remoteBodies({ ...remote, sandbox })) {
      shipped = event.seq;
      const mine = local[event.seq - 1];
      if (mine === undefined)
        return verdict(shipped, `the stream holds event ${event.seq} (message ${streamSeq}) after the journal's last`);
      if (mine !== hashBody(body))
        return verdict(shipped, `event ${event.seq} differs from the stream's copy (message ${streamSeq})`);
    }
  } catch (err) {
    if (!isStoreError(err) || err.code === 'EREMOTE') throw err;
    if (err.code === 'ESTREAM' && /holds nothing for host/.test(err.message)) return verdict(0);
    return verdict(shipped, `${err.code}: ${err.message}`);
  }
  return verdict(shipped);
}

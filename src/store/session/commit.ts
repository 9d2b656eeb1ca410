import { errConflict } from '../../errors.ts';
import { Looks } from '../../fs/looks.ts';
import type { EventInput, JournalEvent } from '../../journal/record.ts';
import type { Roots } from '../../layout/roots.ts';
import { CHECKPOINT_EVERY } from '../../recovery/checkpoint.ts';
import type { WriterLock } from '../writer-lock.ts';
import type { PendingWrite, WriteQueue } from './group-commit.ts';
import { projectGroup } from './projection.ts';
import type { Replica } from './replica.ts';

/** How long a busy writer keeps a sandbox's lock before it lets others in. */
const MAX_HOLD_MS = 200;

/**
 * The sandboxes of one Store committing writes at this moment: when there are
 * others, a projection leaves them the event loop. One per Store, so two
 * Stores in a process (or two test runs) do not count each other.
 */
export class CommitLoad {
  committing = 0;
}

/**
 * Keeps the lock while writes keep coming (see WriteQueue.soon), but not
 * past MAX_HOLD_MS, so that writers in other processes get their turn.
 * Says whether it stopped for that reason.
 */
export async function commitWhileBusy(
  roots: Roots,
  replica: Replica,
  load: CommitLoad,
  lock: WriterLock,
  queue: WriteQueue,
): Promise<boolean> {
  const until = Date.now() + MAX_HOLD_MS;
  load.committing++;
  try {
    let lone = false; // the group before was one write: a writer alone, awaiting each store
    for (let batch = queue.next(); batch; batch = queue.next() ?? (await queue.soon(until))) {
      await commitGroup(roots, replica, load, lock, batch, lone && batch.length === 1);
      lone = batch.length === 1;
      if (Date.now() >= until) return true;
    }
    return false;
  } finally {
    load.committing--;
  }
}

/** Checks each write, appends those that pass with one sync, then projects them in order. Never throws. */
async function commitGroup(
  roots: Roots,
  replica: Replica,
  load: CommitLoad,
  lock: WriterLock,
  group: PendingWrite[],
  loneWriter: boolean,
): Promise<void> {
  try {
    // What other writers appended before this lock was taken (read once per hold: nobody appends under it).
    await replica.sync(lock);
  } catch (err) {
    for (const write of group) write.reject(err);
    return;
  }
  const looks = new Looks();
  const prepared: Array<{ write: PendingWrite; input: EventInput }> = [];
  for (const write of group) {
    try {
      if (replica.stale) await replica.rebuild();
      prepared.push({ write, input: await write.prepare(looks) });
    } catch (err) {
      write.reject(err);
    }
  }
  let observed: EventInput[];
  try {
    // What the group is about to overwrite is read first: an outside write there is recorded before it goes.
    observed = await replica.driftUnder(
      prepared.map((p) => p.input),
      looks,
    );
  } catch (err) {
    for (const { write } of prepared) write.reject(err);
    return;
  }
  const accepted = expected(replica, prepared, observed.length);
  if (accepted.length === 0 && observed.length === 0) return;
  let events: JournalEvent[];
  try {
    const inputs = [...observed, ...accepted.map((a) => a.input)];
    // A lone writer, and no other sandbox of this Store committing: nothing would run while the sync waits.
    const inline = loneWriter && inputs.length === 1 && load.committing === 1;
    events = await replica.append(lock, inputs, { inline });
  } catch (err) {
    for (const { write } of accepted) write.reject(err);
    return;
  }
  if (observed.length > 0) await replica.afterObservations(events.slice(0, observed.length));
  // Under restore the observed paths were written back since the group looked at them.
  const seen = observed.length > 0 ? new Looks() : looks;
  const projected = await projectGroup(
    roots,
    events.slice(observed.length),
    accepted.map((a) => a.write),
    { overlap: load.committing > 1, looks: seen },
  );
  replica.wrote(seen);
  if (!projected) replica.stale = true;
  else replica.settled(); // all carried out: from now on a difference is an outside write
  if (replica.seq - replica.checkpointed >= CHECKPOINT_EVERY) await replica.checkpoint(lock);
}

/** The writes whose `expectSeq` (if any) is the sequence number they would follow; the others are refused. */
function expected<T extends { write: PendingWrite }>(replica: Replica, prepared: T[], observed: number): T[] {
  const accepted: T[] = [];
  for (const p of prepared) {
    const at = replica.seq + observed + accepted.length;
    if (p.write.expectSeq === undefined || p.write.expectSeq === at) accepted.push(p);
    else p.write.reject(errConflict(`sandbox ${replica.id} is at event ${at}, not ${p.write.expectSeq}`, { seq: at }));
  }
  return accepted;
}

import { errProject } from '../../errors.ts';
import type { JournalEvent } from '../../journal/record.ts';
import type { Roots } from '../../layout/roots.ts';
import type { Overlap } from '../../projector/atomic-write.ts';
import { project } from '../../projector/project.ts';
import { changesOf } from '../../projector/tree-model.ts';
import { lastPerTarget } from './group-commit.ts';

/** A write waiting for its event to be carried out on the legacy tree. */
export interface Settle {
  resolve: (event: JournalEvent) => void;
  reject: (err: unknown) => void;
}

/**
 * Carries out a committed group in order, and settles each write with its
 * event or the projection's error. When several stores in it wrote the same
 * file, only the last one's bytes are written: the earlier ones were
 * superseded before their callers returned, and each is durable in the
 * journal. One rename per file per group is what lets concurrent writers on
 * one sandbox go faster than one. Says whether every event was carried out.
 */
export async function projectGroup(
  roots: Roots,
  events: JournalEvent[],
  writes: Settle[],
  how: Overlap,
): Promise<boolean> {
  let complete = true;
  const target = (event: JournalEvent, i: number) => (event.op === 'store' ? storeTarget(event) : `#${i}`);
  for (const { carry, settles } of lastPerTarget(events.map(target))) {
    const failure = await projectEvent(roots, at(events, carry), how).then(
      () => undefined,
      (err: unknown) => err,
    );
    if (failure !== undefined) complete = false;
    for (const i of settles) {
      if (failure === undefined) at(writes, i).resolve(at(events, i));
      else at(writes, i).reject(failure);
    }
  }
  return complete;
}

/** Carries out one event; a failure says the event is durable and which paths were not updated. */
async function projectEvent(roots: Roots, event: JournalEvent, how: Overlap): Promise<void> {
  try {
    await project(roots, event, how);
  } catch (err) {
    throw errProject(
      event.seq,
      changesOf(event).map((c) => c.path),
      err,
    );
  }
}

const storeTarget = (event: JournalEvent): string =>
  changesOf(event)
    .map((c) => c.path)
    .join('\n');

function at<T>(list: T[], i: number): T {
  const item = list[i];
  if (item === undefined) throw new RangeError(`no item ${i} of ${list.length}`);
  return item;
}

import type { DriftPolicy, EventInput, EventOf, JournalEvent } from '../../journal/record.ts';
import type { Roots } from '../../layout/roots.ts';
import { changesOf, type TreeModel } from '../../projector/tree-model.ts';
import { driftEvents, type Before, type Held } from '../drift.ts';

/**
 * What a writer remembers to tell its own pending work from an outside
 * write: what each path held before the last group of events that is not yet
 * known to be carried out, and what restore observations left in place.
 */
export class DriftLedger {
  /** Emptied once the tree is brought in line. */
  private before: Before = new Map();
  /** What restore observations found at paths the journal does not hold: left for the operator, recorded once. */
  private leftInPlace: Before = new Map();
  /** time, pid and boot of the last create, store or delete: the group whose priors `before` holds */
  private lastGroup = '';

  /** Notes what `event` is about to change in `model`; call it before the model applies the event. */
  note(event: JournalEvent, model: TreeModel): void {
    // Only the last group of stores, creates and deletes can be unprojected (the next is appended after it is
    // carried out); a group shares one time. A reboot, checkpoint or observation leaves it pending.
    if (event.op === 'create' || event.op === 'store' || event.op === 'delete') {
      const group = `${event.time} ${event.pid} ${event.boot}`;
      if (group !== this.lastGroup) this.before.clear();
      this.lastGroup = group;
    }
    for (const change of changesOf(event)) this.before.set(change.path, model.at(change.path) ?? null);
    if (event.op === 'observe' && event.policy === 'restore') this.leftInPlace.set(event.path, heldBy(event));
  }

  /** Everything noted is carried out: from now on a difference is an outside write. */
  settled(): void {
    this.before.clear();
  }

  /** Paths whose last event may still have to be carried out. */
  pending(): string[] {
    return [...this.before.keys()];
  }

  /** The observations of what differs at and below `scopes`, not yet appended. */
  find(
    roots: Roots,
    model: TreeModel,
    at: { sandbox: string; scopes: Iterable<string>; policy: DriftPolicy },
  ): Promise<EventInput[]> {
    const known = { before: this.before, leftInPlace: this.leftInPlace };
    return driftEvents(roots, model, known, at.sandbox, at.scopes, at.policy);
  }
}

/** What an observation found, as the drift check compares it. */
function heldBy(event: EventOf<'observe'>): Held {
  if (event.found === 'dir') return 'dir';
  if (event.found === 'absent') return null;
  if (event.found === 'link') return { link: event.target ?? '' };
  return event.bytes !== undefined ? Buffer.from(event.bytes, 'base64') : Buffer.from(event.payload ?? '', 'utf8');
}

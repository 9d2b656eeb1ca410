import { isMarked, type Looks, type OwnWrite } from '../../fs/looks.ts';
import type { DriftPolicy, EventInput, EventOf, JournalEvent } from '../../journal/record.ts';
import type { Roots } from '../../layout/roots.ts';
import { diskPath } from '../../layout/tree-path.ts';
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
  /** What this writer's own projections last left at each file, by disk path. */
  private readonly own = new Map<string, OwnWrite>();

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

  /** Notes the files a group's projection wrote. */
  wrote(looks: Looks): void {
    for (const [file, write] of looks.written) this.own.set(file, write);
  }

  /**
   * The observations of what differs at and below `scopes`, not yet appended.
   * A file the group `looks` found exactly as this writer's own last write
   * left it (looks.ts), holding what the journal says it holds, is not read
   * again: nothing differs there. The group's checks looked at it after its
   * folder, so no link stands above it.
   */
  find(
    roots: Roots,
    model: TreeModel,
    at: { sandbox: string; scopes: Iterable<string>; policy: DriftPolicy; looks?: Looks | undefined },
  ): Promise<EventInput[]> {
    const { looks } = at;
    const scopes =
      looks === undefined ? at.scopes : [...at.scopes].filter((s) => !this.unchanged(roots, model, s, looks));
    const known = { before: this.before, leftInPlace: this.leftInPlace };
    return driftEvents(roots, model, known, at.sandbox, scopes, at.policy);
  }

  private unchanged(roots: Roots, model: TreeModel, treePath: string, looks: Looks): boolean {
    const content = model.files.get(treePath);
    if (content === undefined) return false;
    const file = diskPath(roots, treePath);
    const own = this.own.get(file);
    return own !== undefined && own.content === content && looks.has(file) && isMarked(looks.at(file), own.mark);
  }
}

/** What an observation found, as the drift check compares it. */
function heldBy(event: EventOf<'observe'>): Held {
  if (event.found === 'dir') return 'dir';
  if (event.found === 'absent') return null;
  if (event.found === 'link') return { link: event.target ?? '' };
  return event.bytes !== undefined ? Buffer.from(event.bytes, 'base64') : Buffer.from(event.payload ?? '', 'utf8');
}

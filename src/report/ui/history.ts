import { applyEdits, type TextDelta } from '../text-delta.ts';
import type { EventRow, ReportData } from '../types.ts';

/** A file of the legacy tree at some point: its path and its text (base64 when `binary`). */
export interface FileAt {
  path: string;
  text: string;
  binary: boolean;
}

/** One stretch of a lane: the state a state.json held from one event until the next change. */
export interface Stretch {
  /** index of the event that set it, and of the event that ended it (the row count if none did) */
  from: number;
  to: number;
  /** the sequence number of the event that set it */
  seq: number;
  /** the `state` field; null while the file did not exist */
  state: string | null;
}

export interface Lane {
  /** `sandbox`, or the container's ID */
  name: string;
  path: string;
  stretches: Stretch[];
}

/** The report's data with the lookups the page needs; a live view merges updates into it. */
export class History {
  constructor(public data: ReportData) {}

  get rows(): EventRow[] {
    return this.data.events;
  }

  path(i: number): string {
    return this.data.paths[i] ?? '';
  }

  /** Text `i`, unpacked from the change it is stored as (and kept), walking back to a whole text. */
  text(i: number): string | undefined {
    const texts = this.data.texts;
    const own = texts[i];
    if (i < 0 || own === undefined) return undefined;
    if (typeof own === 'string') return own;
    const known = this.unpacked[i];
    if (known !== undefined) return known;
    const chain = [i];
    for (let at = own[0]; ;) {
      const t = texts[at];
      if (t === undefined || typeof t === 'string' || this.unpacked[at] !== undefined) break;
      chain.push(at);
      at = t[0];
    }
    let text = '';
    for (let k = chain.length - 1; k >= 0; k--) {
      const at = chain[k] ?? 0;
      const delta = texts[at] as TextDelta;
      const t = texts[delta[0]];
      text = applyEdits(typeof t === 'string' ? t : (this.unpacked[delta[0]] ?? ''), delta, 1);
      this.unpacked[at] = text;
    }
    return text;
  }

  /** Texts stored as changes, once unpacked. */
  private readonly unpacked: string[] = [];

  isBinary(i: number): boolean {
    if (this.binarySet?.data !== this.data) this.binarySet = { data: this.data, set: new Set(this.data.binary) };
    return this.binarySet.set.has(i);
  }

  private binarySet: { data: ReportData; set: Set<number> } | undefined;

  /** Adds an update (events after the last one held); false when it does not follow on, and a reload is needed. */
  merge(update: ReportData): boolean {
    const d = this.data;
    if (
      update.sandbox !== d.sandbox ||
      update.base.boots !== d.boots.length ||
      update.base.paths !== d.paths.length ||
      update.base.texts !== d.texts.length
    )
      return false;
    const last = d.events.at(-1)?.seq ?? 0;
    if ((update.events[0]?.seq ?? last + 1) !== last + 1) return false;
    this.data = {
      ...update,
      boots: [...d.boots, ...update.boots],
      paths: [...d.paths, ...update.paths],
      texts: [...d.texts, ...update.texts],
      binary: [...d.binary, ...update.binary],
      events: [...d.events, ...update.events],
      base: d.base,
    };
    return true;
  }

  /** Every file of the tree right after row `index`, by path. */
  treeAt(index: number): Map<string, number> {
    const tree = new Map<string, number>();
    for (let i = 0; i <= index && i < this.rows.length; i++) {
      for (const [p, , after] of this.rows[i]?.files ?? []) {
        if (after < 0) tree.delete(this.path(p));
        else tree.set(this.path(p), after);
      }
    }
    return tree;
  }

  /** The row before `index` that last changed `path`, or -1. */
  previousChange(index: number, path: number): number {
    for (let i = index - 1; i >= 0; i--) if (this.rows[i]?.files.some(([p]) => p === path)) return i;
    return -1;
  }

  /** A lane per state.json (the sandbox's, then each container's in order of appearance). */
  lanes(): Lane[] {
    const lanes = new Map<number, Lane>();
    const rows = this.rows;
    // Per path and per text, worked out once: a long history stores the same few files thousands of times.
    const names = new Map<number, string | undefined>();
    const states = new Map<number, string>();
    const nameOf = (p: number) => {
      if (!names.has(p)) names.set(p, laneName(this.path(p), this.data.sandbox));
      return names.get(p);
    };
    const stateAt = (t: number) => {
      let state = states.get(t);
      if (state === undefined) states.set(t, (state = stateOf(this.text(t))));
      return state;
    };
    rows.forEach((row, index) => {
      for (const [p, , after] of row.files) {
        const name = nameOf(p);
        if (name === undefined) continue;
        let lane = lanes.get(p);
        if (lane === undefined) {
          lane = { name, path: this.path(p), stretches: [] };
          lanes.set(p, lane);
        }
        const last = lane.stretches.at(-1);
        if (last) last.to = index;
        lane.stretches.push({ from: index, to: rows.length, seq: row.seq, state: after < 0 ? null : stateAt(after) });
      }
    });
    return [...lanes.values()].sort((a, b) => (a.name === 'sandbox' ? -1 : b.name === 'sandbox' ? 1 : 0));
  }
}

/** `run/<sandbox>/state.json` is the sandbox's lane, `run/<sandbox>/<c>/state.json` container c's. */
function laneName(path: string, sandbox: string): string | undefined {
  const parts = path.split('/');
  if (parts[0] !== 'run' || parts[1] !== sandbox || parts.at(-1) !== 'state.json') return undefined;
  if (parts.length === 3) return 'sandbox';
  return parts.length === 4 ? parts[2] : undefined;
}

/** The `state` field of a state.json; `?` when the file does not hold one (torn, or not JSON). */
function stateOf(text: string | undefined): string {
  try {
    const value: unknown = JSON.parse(text ?? '');
    if (typeof value === 'object' && value !== null && 'state' in value && typeof value.state === 'string')
      return value.state === '' ? '(empty)' : value.state;
  } catch {
    // a torn or foreign file has no state to show
  }
  return '?';
}

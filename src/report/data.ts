import { stateAt } from '../audit/state-at.ts';
import type { JournalEvent } from '../journal/record.ts';
import type { ReplayOptions, ReplayPoint } from '../projector/replay.ts';
import { changesOf, TreeModel } from '../projector/tree-model.ts';
import { editsOf, type TextDelta } from './text-delta.ts';
import type { EventRow, Finding, ReportData, Source, Verdict } from './types.ts';

export interface ReportInput {
  sandbox: string;
  /** where the history was read, as the report says it */
  from: string;
  version: string;
  /** stop at this point (`--at`, `--time`); the whole journal when absent */
  point?: ReplayPoint;
  head: ReportData['head'];
  verify: Verdict;
  /** damage and repairs found beside the journal */
  findings?: Finding[];
  /** only the events after this one (the live view's updates); the tables still number from the first event */
  after?: number;
  /** when the report is made (default now) */
  now?: Date;
}

/** Numbers each distinct value once, in order of first use. */
class Table {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();
  of(value: string): number {
    let i = this.index.get(value);
    if (i === undefined) {
      i = this.values.push(value) - 1;
      this.index.set(value, i);
    }
    return i;
  }
}

/**
 * A sandbox's history as a report draws it, built one event at a time: each
 * event's file changes are read from a tree model the events are applied to
 * in turn, the same model `show --at` and `diff` replay, so a file's bytes
 * after event N are what `show --at N` prints. Events past the point asked
 * for are left out, so the read that feeds it may go on (to verify the rest).
 */
export class ReportBuilder {
  private readonly boots = new Table();
  private readonly paths = new Table();
  private readonly texts = new Table();
  private readonly binary = new Set<number>();
  private readonly mirror = new TreeModel();
  private readonly known = new Map<string, number>(); // tree path -> text index, as of the last event applied
  private readonly events: EventRow[] = [];
  private readonly after: number;
  private base: ReportData['base'] | undefined;
  private first: JournalEvent[] = []; // the events that share the first event's batch, to tell an import
  private past = false;
  private readonly previous = new Map<number, number>(); // a text -> the text its file held before it, when it first appeared
  private observed = false; // an outside write was seen: files may lie anywhere
  /** the last event taken (at or before the point) */
  last: JournalEvent | undefined;

  constructor(
    private readonly point: ReplayPoint = {},
    after = 0,
  ) {
    this.after = after;
    if (after === 0) this.base = { boots: 0, paths: 0, texts: 0 };
  }

  /** Takes the journal's next event; ignores it, and every one after it, once the point is passed. */
  readonly take = (event: JournalEvent): void => {
    const point = this.point;
    if (
      this.past ||
      (point.seq !== undefined && event.seq > point.seq) ||
      (point.time !== undefined && event.time > point.time)
    ) {
      this.past = true;
      return;
    }
    this.last = event;
    const { boots, paths, texts, binary, known, mirror } = this;
    mirror.apply(event);
    if (event.seq > this.after && this.base === undefined)
      this.base = { boots: boots.values.length, paths: paths.values.length, texts: texts.values.length };
    const files: EventRow['files'] = [];
    if (event.op === 'observe') this.observed = true;
    for (const path of touched(event, known, mirror, this.observed)) {
      const count = texts.values.length;
      const now = this.textOf(path);
      const before = known.get(path) ?? -1;
      if (now >= count && before >= 0) this.previous.set(now, before);
      if (now === before) continue;
      if (now === -1) known.delete(path);
      else known.set(path, now);
      files.push([paths.of(path), before, now]);
    }
    if (sameBatch(this.first, event)) this.first.push(event);
    else if (this.first.length === 0) this.first = [event];
    const row = rowOf(event, boots.of(event.boot), files);
    if (event.op === 'observe' && event.policy === 'restore' && event.found === 'file') {
      row.seen = texts.of(event.payload ?? event.bytes ?? '');
      if (event.bytes !== undefined) binary.add(row.seen);
    }
    if (event.seq > this.after) this.events.push(row);
  };

  private textOf(path: string): number {
    const text = this.mirror.files.get(path);
    if (text !== undefined) return this.texts.of(text);
    const raw = this.mirror.binary.get(path);
    if (raw === undefined) return -1;
    const i = this.texts.of(raw);
    this.binary.add(i);
    return i;
  }

  /** A text as the edits from its file's previous version, when they are much shorter. */
  private packed(text: string, i: number): string | TextDelta {
    const base = this.previous.get(i);
    if (base === undefined || this.binary.has(i) || this.binary.has(base)) return text;
    const edits = editsOf(text, this.texts.values[base] ?? '');
    return edits ? [base, ...edits] : text;
  }

  /** The report of the events taken. */
  finish(input: ReportInput): ReportData {
    const { boots, paths, texts, binary, events } = this;
    markImport(events, this.first);
    const from = this.base ?? { boots: boots.values.length, paths: paths.values.length, texts: texts.values.length };
    const made: ReportData['made'] = {
      time: (input.now ?? new Date()).toISOString(),
      version: input.version,
      from: input.from,
    };
    if (input.point?.seq !== undefined || input.point?.time !== undefined) made.until = { ...input.point };
    return {
      format: 1,
      sandbox: input.sandbox,
      made,
      head: input.head,
      verify: input.verify,
      boots: boots.values.slice(from.boots),
      paths: paths.values.slice(from.paths),
      texts: texts.values.slice(from.texts).map((text, i) => this.packed(text, i + from.texts)),
      binary: [...binary].filter((i) => i >= from.texts).sort((a, b) => a - b),
      events,
      findings: input.findings ?? [],
      base: from,
    };
  }
}

/** A report from its own read-only replay of the journal, up to `input.point`. */
export async function reportData(file: string, input: ReportInput, opts: ReplayOptions = {}): Promise<ReportData> {
  const builder = new ReportBuilder(input.point, input.after);
  await stateAt(file, input.point ?? {}, { ...opts, onEvent: builder.take });
  return builder.finish(input);
}

/**
 * The file paths an event may have changed: every file at or below the paths
 * it writes or removes. A store writes one file, and until an outside write
 * was adopted (which may leave files anywhere) nothing lies below a stored
 * file: its path is the whole answer, with no walk over the tree.
 */
function touched(
  event: JournalEvent,
  known: Map<string, number>,
  model: TreeModel,
  observed: boolean,
): Iterable<string> {
  if (event.op === 'store' && !observed) return changesOf(event).map((c) => c.path);
  const prefixes = event.op === 'observe' ? [event.path] : changesOf(event).map((c) => c.path);
  const found = new Set<string>();
  if (prefixes.length === 0) return found;
  const under = (p: string) => prefixes.some((prefix) => p === prefix || p.startsWith(`${prefix}/`));
  for (const path of known.keys()) if (under(path)) found.add(path);
  for (const path of model.files.keys()) if (under(path)) found.add(path);
  for (const path of model.binary.keys()) if (under(path)) found.add(path);
  return found;
}

function sourceOf(event: JournalEvent): Source {
  if (event.op !== 'observe') return 'vcstore';
  return event.policy === 'adopt' ? 'observed' : 'restore';
}

function rowOf(event: JournalEvent, boot: number, files: EventRow['files']): EventRow {
  const row: EventRow = {
    seq: event.seq,
    time: event.time,
    op: event.op,
    source: sourceOf(event),
    pid: event.pid,
    boot,
    files,
  };
  if (event.resource !== undefined) row.resource = event.resource;
  if (event.container !== undefined) row.container = event.container;
  if (event.containers !== undefined) row.containers = event.containers;
  if (event.resources !== undefined) row.resources = event.resources;
  if (event.op === 'observe') {
    row.path = event.path;
    row.found = event.found;
    if (event.parsed !== undefined) row.parsed = event.parsed;
  }
  if (event.payload !== undefined) row.size = Buffer.byteLength(event.payload);
  else if (event.bytes !== undefined) row.size = Buffer.from(event.bytes, 'base64').length;
  return row;
}

const sameBatch = (batch: JournalEvent[], event: JournalEvent) => {
  const head = batch[0];
  return (
    head !== undefined &&
    batch.length === event.seq - 1 &&
    event.time === head.time &&
    event.pid === head.pid &&
    event.boot === head.boot
  );
};

/**
 * `vcstore import` writes a sandbox's whole legacy tree as the journal's first
 * append: a create and the stores (and deletes) that rebuild it, all in one
 * batch, so with one time, pid and boot. The journal does not name its
 * writer, so an import is known by that shape; a runtime's first calls are
 * appended one by one.
 */
function markImport(rows: EventRow[], batch: JournalEvent[]): void {
  if (batch.length < 2 || batch[0]?.op !== 'create') return;
  const last = batch.at(-1)?.seq ?? 0;
  for (const row of rows) if (row.seq <= last) row.source = 'import';
}

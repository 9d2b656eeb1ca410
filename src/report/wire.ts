/**
 * The report's data as it travels (inlined in the HTML, or from
 * `/ui/data/<sandbox>`): the events packed as short arrays, with what repeats
 * (op, who wrote it, resource, container; pid and boot) numbered once in
 * small tables and sequence numbers and times as differences from the event
 * before. An event costs some 20 characters instead of some 150, and a long
 * history's page loads that much sooner. Shared by both sides; imports
 * nothing but types.
 */
import type { EventRow, ReportData, Source } from './types.ts';

/** What an event is: op, source, resource, container. */
type Kind = [op: EventRow['op'], source: Source, resource?: string | null, container?: string | null];
/** Who wrote it: pid and boot (an index into `boots`). */
type Writer = [pid: number, boot: number];
/** The fields few events have. */
type Rare = Pick<EventRow, 'containers' | 'resources' | 'path' | 'found' | 'parsed' | 'seen'>;

/**
 * One event: its seq less the previous one's; its time as milliseconds after
 * the previous one's (or the text itself, when it is not in the form
 * toISOString writes); its kind and writer; its files, flat (path, before,
 * after, …); its payload's size (or null); and its rare fields.
 */
type PackedRow = [
  seq: number,
  time: number | string,
  kind: number,
  writer: number,
  files: number[],
  size?: number | null,
  rare?: Rare,
];

export interface PackedEvents {
  kinds: Kind[];
  writers: Writer[];
  rows: PackedRow[];
}

export type WireData = Omit<ReportData, 'events'> & { events: PackedEvents };

const RARE = ['containers', 'resources', 'path', 'found', 'parsed', 'seen'] as const;

export function packEvents(events: EventRow[]): PackedEvents {
  const kinds: Kind[] = [];
  const writers: Writer[] = [];
  const kindIndex = new Map<string, number>();
  const writerIndex = new Map<string, number>();
  const msOf = timeReader();
  const indexOf = <T>(table: T[], index: Map<string, number>, key: string, value: T) => {
    let i = index.get(key);
    if (i === undefined) {
      i = table.push(value) - 1;
      index.set(key, i);
    }
    return i;
  };
  let seq = 0;
  let ms: number | undefined = 0;
  const rows = events.map((e): PackedRow => {
    const kind: Kind = [e.op, e.source];
    if (e.resource !== undefined || e.container !== undefined) kind.push(e.resource ?? null);
    if (e.container !== undefined) kind.push(e.container);
    const now = msOf(e.time);
    const row: PackedRow = [
      e.seq - seq,
      now !== undefined && ms !== undefined ? now - ms : e.time,
      indexOf(kinds, kindIndex, kind.join('\u0000'), kind),
      indexOf(writers, writerIndex, `${e.pid}:${e.boot}`, [e.pid, e.boot] as Writer),
      e.files.flat(),
    ];
    seq = e.seq;
    ms = now;
    const rare: Rare = {};
    for (const key of RARE) if (e[key] !== undefined) Object.assign(rare, { [key]: e[key] });
    if (Object.keys(rare).length > 0) row.push(e.size ?? null, rare);
    else if (e.size !== undefined) row.push(e.size);
    return row;
  });
  return { kinds, writers, rows };
}

/**
 * `new Date(ms).toISOString()`, made faster for a run of times: the date,
 * hour and minute are worked out once a minute (toISOString takes some
 * microseconds, which ten thousand events notice).
 */
function isoWriter(): (ms: number) => string {
  let minute = Number.NaN;
  let head = '';
  return (ms) => {
    const m = Math.floor(ms / 60_000);
    if (m !== minute) {
      head = new Date(m * 60_000).toISOString().slice(0, 17); // YYYY-MM-DDTHH:MM:
      minute = /^\d{4}-\d\d-\d\dT\d\d:\d\d:$/.test(head) ? m : Number.NaN;
      if (Number.isNaN(minute)) return new Date(ms).toISOString(); // a year of more than four digits
    }
    const rest = ms - m * 60_000;
    const s = Math.floor(rest / 1000);
    const milli = rest % 1000;
    return `${head}${s < 10 ? '0' : ''}${s}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
  };
}

/** A time in the exact form `Date.prototype.toISOString` writes, as milliseconds; undefined otherwise. */
function timeReader(): (time: string) => number | undefined {
  const iso = isoWriter();
  return (time) => {
    const ms = Date.parse(time);
    return Number.isFinite(ms) && iso(ms) === time ? ms : undefined;
  };
}

export function unpackEvents(packed: PackedEvents): EventRow[] {
  const iso = isoWriter();
  const msOf = timeReader();
  let seq = 0;
  let ms: number | undefined = 0;
  return packed.rows.map(([dseq, time, k, w, flat, size, rare]) => {
    seq += dseq;
    let text: string;
    if (typeof time === 'number' && ms !== undefined) {
      ms += time;
      text = iso(ms);
    } else {
      text = String(time);
      ms = msOf(text);
    }
    const [op, source, resource, container] = packed.kinds[k] ?? ['checkpoint', 'vcstore'];
    const [pid, boot] = packed.writers[w] ?? [0, 0];
    const files: EventRow['files'] = [];
    for (let i = 0; i + 2 < flat.length; i += 3) files.push([flat[i] ?? -1, flat[i + 1] ?? -1, flat[i + 2] ?? -1]);
    const row: EventRow = { seq, time: text, op, source, pid, boot, files };
    if (resource !== undefined && resource !== null) row.resource = resource;
    if (container !== undefined && container !== null) row.container = container;
    if (size !== undefined && size !== null) row.size = size;
    if (rare) Object.assign(row, rare);
    return row;
  });
}

export const packReport = (data: ReportData): WireData => ({ ...data, events: packEvents(data.events) });

export const unpackReport = (wire: WireData): ReportData => ({ ...wire, events: unpackEvents(wire.events) });

/** What the page is told, as it travels: `PageConfig` with the report's events packed. */
export type WireConfig = { mode: 'report'; data: WireData } | { mode: 'live' };

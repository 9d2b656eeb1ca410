import { h, type ComponentChild } from 'preact';
import { RESOURCES, fileName } from '../../layout/resources.ts';
import { SOURCES, type EventRow, type ReportData } from '../types.ts';
import { describeRow, SOURCE_NAMES } from './describe.ts';
import type { History } from './history.ts';
import type { Line } from './timeline.ts';

export interface Filter {
  op: string;
  resource: string;
  container: string;
  source: string;
  search: string;
}

export const NO_FILTER: Filter = { op: '', resource: '', container: '', source: '', search: '' };

const isOff = (f: Filter) => !f.op && !f.resource && !f.container && !f.source && !f.search;

/** `run/sb/c1/state.json` → state of c1: what a changed file says about the resource and container touched. */
function whereOf(path: string): { resource?: string; container?: string } {
  const parts = path.split('/');
  const name = parts.at(-1) ?? '';
  const resource = RESOURCES.find((r) => fileName(r) === name);
  const container = parts.length > 3 ? parts[2] : undefined;
  return { ...(resource ? { resource } : {}), ...(container ? { container } : {}) };
}

/**
 * The timeline's lines under a filter. An event matches a resource or a
 * container when it names it or changed one of its files (a reboot or a
 * sandbox delete touches every container's run files); the search looks in
 * what a row says and in the files it wrote.
 */
export function linesOf(history: History, filter: Filter): Line[] {
  const lines: Line[] = [];
  const findings = history.data.findings;
  const off = isOff(filter);
  if (off) for (const finding of findings) if (finding.after === 0) lines.push({ kind: 'finding', finding });
  const needle = filter.search.toLowerCase();
  const textHits = new Map<number, boolean>();
  const textMatches = (i: number) => {
    let hit = textHits.get(i);
    if (hit === undefined) {
      hit = (history.text(i) ?? '').toLowerCase().includes(needle);
      textHits.set(i, hit);
    }
    return hit;
  };
  history.rows.forEach((row, index) => {
    if (off || matches(history, row, filter, needle, textMatches)) lines.push({ kind: 'event', index });
    if (off) for (const finding of findings) if (finding.after === row.seq) lines.push({ kind: 'finding', finding });
  });
  return lines;
}

function matches(
  history: History,
  row: EventRow,
  filter: Filter,
  needle: string,
  textMatches: (i: number) => boolean,
): boolean {
  if (filter.op && row.op !== filter.op) return false;
  if (filter.source && row.source !== filter.source) return false;
  const touched = row.files.map(([p]) => whereOf(history.path(p)));
  if (filter.resource && row.resource !== filter.resource && !touched.some((t) => t.resource === filter.resource))
    return false;
  if (
    filter.container &&
    row.container !== filter.container &&
    !(row.containers ?? []).includes(filter.container) &&
    !touched.some((t) => t.container === filter.container)
  )
    return false;
  if (!needle) return true;
  const said = [
    `#${row.seq}`,
    row.time,
    String(row.pid),
    history.data.boots[row.boot] ?? '',
    describeRow(row, history.data.sandbox),
    ...row.files.map(([p]) => history.path(p)),
  ];
  if (said.some((s) => s.toLowerCase().includes(needle))) return true;
  return (
    row.files.some(([, , after]) => after >= 0 && textMatches(after)) ||
    (row.seen !== undefined && textMatches(row.seen))
  );
}

interface Facets {
  ops: string[];
  resources: string[];
  containers: string[];
}

/** What the filters offer, worked out once per history (a live view's update makes a new one). */
const facets = new WeakMap<ReportData, Facets>();

function facetsOf(history: History): Facets {
  const known = facets.get(history.data);
  if (known) return known;
  const rows = history.rows;
  const found: Facets = {
    ops: [...new Set(rows.map((r) => r.op))].sort(),
    resources: [...new Set(history.data.paths.map((p) => whereOf(p).resource).filter((r) => r !== undefined))].sort(),
    containers: [
      ...new Set([
        ...rows.flatMap((r) => [...(r.containers ?? []), ...(r.container ? [r.container] : [])]),
        ...history.data.paths.map((p) => whereOf(p).container).filter((c) => c !== undefined),
      ]),
    ].sort(),
  };
  facets.set(history.data, found);
  return found;
}

interface FilterBarProps {
  history: History;
  filter: Filter;
  shown: number;
  onChange: (filter: Filter) => void;
}

export function FilterBar({ history, filter, shown, onChange }: FilterBarProps): ComponentChild {
  const rows = history.rows;
  const { ops, resources, containers } = facetsOf(history);
  const pick = (key: keyof Filter, label: string, values: string[], names: (v: string) => string = (v) => v) =>
    h(
      'label',
      null,
      `${label} `,
      h(
        'select',
        {
          name: key,
          value: filter[key],
          onChange: (e: Event) => onChange({ ...filter, [key]: (e.currentTarget as HTMLSelectElement).value }),
        },
        h('option', { value: '' }, 'all'),
        values.map((v) => h('option', { key: v, value: v }, names(v))),
      ),
    );
  return h(
    'div',
    { class: 'filters' },
    pick('op', 'op', ops),
    pick('resource', 'resource', resources),
    pick('container', 'container', containers),
    pick('source', 'written by', [...SOURCES], (s) => SOURCE_NAMES[s as keyof typeof SOURCE_NAMES]),
    h('input', {
      type: 'search',
      name: 'search',
      placeholder: 'search events and file contents',
      value: filter.search,
      onInput: (e: Event) => onChange({ ...filter, search: (e.currentTarget as HTMLInputElement).value }),
    }),
    h('span', { class: 'count', 'data-events': rows.length }, `${shown} of ${rows.length} events`),
  );
}

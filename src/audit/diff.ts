import { RESOURCES, fileName } from '../layout/resources.ts';
import { parseJson } from '../legacy/json-parse.ts';
import { diffJson, type FieldChange } from './json-diff.ts';
import type { ReplayOptions as AuditOptions } from '../projector/replay.ts';
import { stateAt } from './state-at.ts';
import type { JournalEvent } from '../journal/record.ts';
import { changesOf } from '../projector/tree-model.ts';

/** How one resource's file differs between two points. */
export interface ResourceChange {
  change: 'added' | 'removed' | 'changed';
  /** tree path: `run/<sandbox>[/<container>]/<file>` or `config/…` */
  path: string;
  resource: string;
  container?: string;
  /** the parsed old value (removed), or new value (added); the raw text when it is not JSON (the lock) */
  from?: unknown;
  to?: unknown;
  /** for `changed`: the fields that differ (empty when only the bytes differ, e.g. `1.0` and `1`) */
  fields?: FieldChange[];
  /** when the change's last write was an outside write, recorded by an `observe` event */
  writtenBy?: { seq: number; time: string; source: 'observed' };
}

/**
 * What changed in a sandbox's legacy tree between the points right after
 * events `from` and `to` (0 is before the first event), file by file, sorted
 * by path. Each point is replayed on its own: memory holds two trees.
 */
export async function diffPoints(
  file: string,
  from: number,
  to: number,
  opts: AuditOptions = {},
): Promise<ResourceChange[]> {
  const before = (await stateAt(file, { seq: from }, opts)).model.files;
  // Who wrote each path last, between the two points: vcstore, or an outside write it observed.
  const writers: Array<{ path: string; event: JournalEvent }> = [];
  const onEvent = (event: JournalEvent) => {
    if (event.seq <= from) return;
    if (event.op === 'observe') writers.push({ path: event.path ?? '', event });
    else for (const change of changesOf(event)) writers.push({ path: change.path, event });
  };
  const after = (await stateAt(file, { seq: to }, { ...opts, onEvent })).model.files;
  const by = (path: string) => {
    const last = [...writers].reverse().find((w) => path === w.path || path.startsWith(`${w.path}/`))?.event;
    return last?.op === 'observe' ? { writtenBy: { seq: last.seq, time: last.time, source: 'observed' as const } } : {};
  };
  const changes: ResourceChange[] = [];
  for (const [path, old] of before) {
    const now = after.get(path);
    if (now === undefined) changes.push({ change: 'removed', ...where(path), from: value(old), ...by(path) });
    else if (now !== old)
      changes.push({ change: 'changed', ...where(path), fields: diffJson(value(old), value(now)), ...by(path) });
  }
  for (const [path, now] of after)
    if (!before.has(path)) changes.push({ change: 'added', ...where(path), to: value(now), ...by(path) });
  return changes.sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}

/** `run/sb/c1/state.json` → resource state of container c1. */
function where(path: string): { path: string; resource: string; container?: string } {
  const parts = path.split('/');
  const name = parts.at(-1) ?? path;
  const resource = RESOURCES.find((r) => fileName(r) === name) ?? name;
  const container = parts.length > 3 ? parts[2] : undefined;
  return container === undefined ? { path, resource } : { path, resource, container };
}

function value(text: string): unknown {
  try {
    return parseJson(text);
  } catch {
    return text;
  }
}

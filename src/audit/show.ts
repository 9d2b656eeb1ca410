import type { JournalEvent } from '../journal/record.ts';
import { changesOf, storePath } from '../projector/tree-model.ts';
import type { Resource } from '../layout/resources.ts';
import type { ReplayOptions as AuditOptions, ReplayPoint } from '../projector/replay.ts';
import { stateAt } from './state-at.ts';

export interface ResourceAt {
  /** the last event at the point asked for (0 before the first event) */
  seq: number;
  time?: string | undefined;
  /** tree path: `run/<sandbox>[/<container>]/<file>` or `config/…` */
  path: string;
  /** the file's exact bytes then; undefined when it did not exist */
  content?: string | undefined;
  /** set when the last event that set or removed the file was an outside write vcstore observed */
  writtenBy?: { seq: number; time: string; source: 'observed' | 'vcstore' };
}

/** One resource's file as it was at a point of a sandbox's history. */
export async function resourceAt(
  file: string,
  where: { sandbox: string; container?: string; resource: Resource },
  point: ReplayPoint,
  opts: AuditOptions = {},
): Promise<ResourceAt> {
  const path = storePath(where.sandbox, where.container ?? '', where.resource);
  let writtenBy: ResourceAt['writtenBy'];
  const onEvent = (event: JournalEvent) => {
    const touched =
      event.op === 'observe'
        ? event.path !== undefined && (path === event.path || path.startsWith(`${event.path}/`))
        : changesOf(event).some((c) => c.path === path || path.startsWith(`${c.path}/`));
    if (touched)
      writtenBy = { seq: event.seq, time: event.time, source: event.op === 'observe' ? 'observed' : 'vcstore' };
  };
  const { model, last } = await stateAt(file, point, { ...opts, onEvent });
  const found: ResourceAt = { seq: last?.seq ?? 0, time: last?.time, path, content: model.files.get(path) };
  // Said only of an outside write: vcstore's own is the default every reader assumes.
  return writtenBy?.source === 'observed' ? { ...found, writtenBy } : found;
}

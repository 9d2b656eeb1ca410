import type { ReplayPoint } from '../projector/replay.ts';
import { storePath } from '../projector/tree-model.ts';
import type { Resource } from '../layout/resources.ts';
import type { ReplayOptions as AuditOptions } from '../projector/replay.ts';
import { stateAt } from './state-at.ts';

export interface ResourceAt {
  /** the last event at the point asked for (0 before the first event) */
  seq: number;
  time?: string;
  /** tree path: `run/<sandbox>[/<container>]/<file>` or `config/…` */
  path: string;
  /** the file's exact bytes then; undefined when it did not exist */
  content?: string;
}

/** One resource's file as it was at a point of a sandbox's history. */
export async function resourceAt(
  file: string,
  where: { sandbox: string; container?: string; resource: Resource },
  point: ReplayPoint,
  opts: AuditOptions = {},
): Promise<ResourceAt> {
  const { model, last } = await stateAt(file, point, opts);
  const path = storePath(where.sandbox, where.container ?? '', where.resource);
  return { seq: last?.seq ?? 0, time: last?.time, path, content: model.files.get(path) };
}

import { isStoreError } from '../errors.ts';
import { compareTree, type Drift } from '../projector/compare.ts';
import { journalFile, type Roots } from '../layout/roots.ts';
import type { ReplayOptions as AuditOptions } from '../projector/replay.ts';
import { journaledSandboxes } from '../layout/journals.ts';
import { stateAt } from './state-at.ts';

export interface SandboxSummary {
  sandbox: string;
  events: number;
  /** times of the first and last events; absent for an empty journal */
  first?: string | undefined;
  last?: string | undefined;
  /** it had events, and the journal leaves nothing of it in the legacy tree */
  deleted: boolean;
  /** the legacy tree on disk is what the journal says */
  consistent: boolean;
  drift: Drift[];
  /** why the journal could not be read (ECORRUPT, ECHAIN, …); the other fields are then empty */
  error?: { code: string; message: string };
}

/** Every sandbox with a journal, one at a time; a damaged journal is reported, not thrown. */
export async function* listSandboxes(roots: Roots, opts: AuditOptions = {}): AsyncGenerator<SandboxSummary> {
  for (const sandbox of await journaledSandboxes(roots)) yield summarize(roots, sandbox, opts);
}

async function summarize(roots: Roots, sandbox: string, opts: AuditOptions): Promise<SandboxSummary> {
  try {
    const { model, first, last, count } = await stateAt(journalFile(roots, sandbox), {}, opts);
    const drift = await compareTree(roots, model, sandbox);
    const deleted = count > 0 && model.dirs.size === 0 && model.files.size === 0;
    return {
      sandbox,
      events: count,
      first: first?.time,
      last: last?.time,
      deleted,
      consistent: drift.length === 0,
      drift,
    };
  } catch (err) {
    if (!isStoreError(err)) throw err;
    const error = { code: err.code, message: err.message };
    return { sandbox, events: 0, deleted: false, consistent: false, drift: [], error };
  }
}

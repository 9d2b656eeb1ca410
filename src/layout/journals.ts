import { access, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { osError } from '../errors.ts';
import { isSafeId } from './ids.ts';
import { journalFile, type Roots } from './roots.ts';

/**
 * Every sandbox with a journal, deleted ones included, in byte order of their
 * IDs. A folder counts when its name is an ID (the writers' `@locks` folder
 * is not) and it holds a journal file.
 */
export async function journaledSandboxes(roots: Roots): Promise<string[]> {
  const entries = await readdir(roots.journal, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw osError('open', roots.journal, err);
  });
  const ids: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || !isSafeId(entry.name)) continue;
    if (await access(journalFile(roots, entry.name)).then(() => true, () => false)) ids.push(entry.name);
  }
  return ids.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** Where the writer locks live, under a name no sandbox ID can take ('@' is not an ID character). */
export const LOCKS_DIR = '@locks';

const ready = new Set<string>();

/**
 * The journal root is private (0700) and holds the locks folder; its parents
 * are made like the legacy tree's (0750). Made once per process; `again`
 * after something removed it.
 */
export async function ensureJournalRoot(root: string, again = false): Promise<void> {
  if (ready.has(root) && !again) return;
  await mkdir(path.dirname(root), { recursive: true, mode: 0o750 });
  await mkdir(path.join(root, LOCKS_DIR), { recursive: true, mode: 0o700 });
  ready.add(root);
}

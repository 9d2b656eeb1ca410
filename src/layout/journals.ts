import { access, readdir } from 'node:fs/promises';
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

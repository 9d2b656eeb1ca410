import { access, readdir } from 'node:fs/promises';
import { osError } from '../errors.ts';
import { journalFile, type Roots } from '../layout/roots.ts';

/**
 * Every sandbox with a journal, deleted ones included, in byte order of their
 * IDs. Only folders holding a journal count: the writers' `<id>.lock`
 * folders live beside them.
 */
export async function journalSandboxes(roots: Roots): Promise<string[]> {
  const entries = await readdir(roots.journal, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw osError('open', roots.journal, err);
  });
  const ids: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const journal = journalFile(roots, entry.name);
    if (await access(journal).then(() => true, () => false)) ids.push(entry.name);
  }
  return ids.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

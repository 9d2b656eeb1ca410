import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Roots } from '../layout/roots.ts';
import { TEMP_MARK } from '../projector/atomic-write.ts';
import { ifExists } from '../fs/missing.ts';

/** Removes the temp files that writes interrupted by a crash left in a sandbox's folders; returns their tree paths. */
export async function removeTempFiles(roots: Roots, sandboxID: string): Promise<string[]> {
  const removed: string[] = [];
  for (const root of ['config', 'run'] as const) {
    const base = path.join(roots[root], sandboxID);
    const entries = (await ifExists(base, readdir(base, { recursive: true, withFileTypes: true }), 'open')) ?? [];
    for (const entry of entries) {
      if (!entry.isFile() || !entry.name.includes(TEMP_MARK)) continue;
      const file = path.join(entry.parentPath ?? entry.path, entry.name);
      await rm(file, { force: true });
      removed.push(`${root}/${path.relative(roots[root], file)}`);
    }
  }
  return removed.sort();
}

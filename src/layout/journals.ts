import { lstatSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { errUnsafePath, osError } from '../errors.ts';
import { isSafeId } from './ids.ts';
import { journalFile, type Roots } from './roots.ts';
import { fileExists } from '../fs/missing.ts';

/**
 * Every sandbox with a journal, deleted ones included, in byte order of their
 * IDs. A folder counts when its name is an ID (the writers' `@locks` folder
 * is not) and it holds a journal file. A link with an ID's name is listed
 * too, so that opening it reports the link instead of skipping it.
 */
export async function journaledSandboxes(roots: Roots): Promise<string[]> {
  const ids: string[] = [];
  for (const entry of await journalRootEntries(roots)) {
    if (!isSafeId(entry.name)) continue;
    if (entry.isSymbolicLink()) ids.push(entry.name);
    else if (entry.isDirectory() && (await fileExists(journalFile(roots, entry.name)))) ids.push(entry.name);
  }
  return ids.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** Entries of the journal root that are neither the locks folder nor a sandbox's journal folder, with why. */
export async function journalRootStrays(roots: Roots): Promise<Array<{ name: string; problem: string }>> {
  const strays: Array<{ name: string; problem: string }> = [];
  for (const entry of await journalRootEntries(roots)) {
    if ((entry.name === LOCKS_DIR || entry.name === SHIP_DIR) && entry.isDirectory()) continue;
    if (isSafeId(entry.name) && entry.isSymbolicLink()) continue; // listed as a sandbox, reported when opened
    if (!isSafeId(entry.name)) strays.push({ name: entry.name, problem: 'not a sandbox ID' });
    else if (!entry.isDirectory()) strays.push({ name: entry.name, problem: 'not a folder' });
    else if (!(await fileExists(journalFile(roots, entry.name))))
      strays.push({ name: entry.name, problem: 'no journal.log' });
  }
  return strays.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

async function journalRootEntries(roots: Roots) {
  return readdir(roots.journal, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw osError('open', roots.journal, err);
  });
}

/** Where the writer locks live, under a name no sandbox ID can take ('@' is not an ID character). */
export const LOCKS_DIR = '@locks';

/** Where `vcstore ship` keeps its cursor per sandbox. */
export const SHIP_DIR = '@ship';

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
  assertRealFolder(path.join(root, LOCKS_DIR));
  ready.add(root);
}

/**
 * Nothing below the journal root may be a link (the root itself may be, as
 * an administrator's choice): a linked sandbox folder would send its journal,
 * and a linked locks folder its locks, outside the root.
 */
function assertRealFolder(dir: string): void {
  let info;
  try {
    info = lstatSync(dir);
  } catch (err) {
    throw osError('lstat', dir, err);
  }
  if (info.isSymbolicLink())
    throw errUnsafePath(`refusing to follow the symbolic link ${dir} inside the journal root`, {
      file: dir,
    });
  if (!info.isDirectory()) throw errUnsafePath(`${dir} is not a folder`, { file: dir });
}

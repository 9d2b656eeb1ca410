import { access, lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';

/** One entry of a tree as the legacy fixtures describe it (modes.json and effects). */
export interface Entry {
  kind: 'dir' | 'file' | 'link';
  mode: string;
  content?: string;
}

export type Snapshot = Map<string, Entry>;

/** Whether anything is at `p`. */
export const exists = (p: string): Promise<boolean> =>
  access(p).then(
    () => true,
    () => false,
  );

export interface Effect {
  path: string;
  change: 'created' | 'modified' | 'removed';
  kind: 'dir' | 'file' | 'link';
  mode?: string;
  content?: string;
}

const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, '0');

/** Every path under `root`, relative, with its kind, mode and (for files) bytes; `skip` leaves out a subtree. */
export async function snapshot(root: string, skip: (rel: string) => boolean = () => false): Promise<Snapshot> {
  const out: Snapshot = new Map();
  const walk = async (dir: string): Promise<void> => {
    for (const name of await readdir(dir)) {
      const full = path.join(dir, name);
      const rel = path.relative(root, full);
      if (skip(rel)) continue;
      const info = await lstat(full);
      if (info.isDirectory()) {
        out.set(rel, { kind: 'dir', mode: octal(info.mode) });
        await walk(full);
      } else if (info.isSymbolicLink()) {
        out.set(rel, { kind: 'link', mode: octal(info.mode), content: await readlink(full) });
      } else {
        out.set(rel, { kind: 'file', mode: octal(info.mode), content: await readFile(full, 'utf8') });
      }
    }
  };
  await walk(root);
  return out;
}

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** The net change between two snapshots, in the fixtures' `effects` form, sorted by path bytes. */
export function effectsBetween(before: Snapshot, after: Snapshot): Effect[] {
  const effects: Effect[] = [];
  for (const [p, entry] of after) {
    const old = before.get(p);
    const same = old && old.kind === entry.kind && old.mode === entry.mode && old.content === entry.content;
    if (same) continue;
    const effect: Effect = { path: p, change: old ? 'modified' : 'created', kind: entry.kind, mode: entry.mode };
    if (entry.kind !== 'dir' && entry.content !== undefined) effect.content = entry.content;
    effects.push(effect);
  }
  for (const [p, entry] of before) if (!after.has(p)) effects.push({ path: p, change: 'removed', kind: entry.kind });
  return effects.sort((a, b) => byteOrder(a.path, b.path));
}

import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Roots } from '../layout/roots.ts';
import { diskPath } from '../layout/tree-path.ts';
import type { TreeModel } from './tree-model.ts';
import { ifExists } from '../fs/missing.ts';

/** How a sandbox's legacy tree differs from what its journal says. */
export interface Drift {
  /** tree path: `run/<sandbox>/…` or `config/<sandbox>/…` */
  path: string;
  problem: 'missing' | 'changed' | 'extra' | 'not-a-file' | 'not-a-folder';
}

/**
 * Compares a sandbox's two folders on disk with the model, file by file. A
 * held `lock` may hold anything; everything else must match to the byte.
 */
export async function compareTree(roots: Roots, model: TreeModel, sandboxID: string): Promise<Drift[]> {
  const drift: Drift[] = [];
  const expected = new Map<string, 'dir' | 'file'>();
  for (const dir of model.dirs) if (inSandbox(dir, sandboxID)) expected.set(dir, 'dir');
  for (const file of model.files.keys()) if (inSandbox(file, sandboxID)) expected.set(file, 'file');
  for (const file of model.binary.keys()) if (inSandbox(file, sandboxID)) expected.set(file, 'file');

  const onDisk = new Map<string, 'dir' | 'file' | 'other'>();
  for (const root of ['config', 'run'] as const) await walk(roots, `${root}/${sandboxID}`, onDisk);

  for (const [treePath, kind] of expected) {
    const found = onDisk.get(treePath);
    if (found === undefined) drift.push({ path: treePath, problem: 'missing' });
    else if (kind === 'dir' && found !== 'dir') drift.push({ path: treePath, problem: 'not-a-folder' });
    else if (kind === 'file' && treePath.endsWith('/lock')) continue;
    else if (kind === 'file' && found !== 'file') drift.push({ path: treePath, problem: 'not-a-file' });
    else if (kind === 'file') {
      const content = await readFile(diskPath(roots, treePath));
      const held = model.at(treePath);
      if (!Buffer.isBuffer(held) || !content.equals(held)) drift.push({ path: treePath, problem: 'changed' });
    }
  }
  for (const treePath of onDisk.keys()) {
    if (!expected.has(treePath) && !isUnder(treePath, expected)) drift.push({ path: treePath, problem: 'extra' });
  }
  return drift.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

const inSandbox = (treePath: string, sandboxID: string) =>
  treePath === `config/${sandboxID}` ||
  treePath === `run/${sandboxID}` ||
  treePath.startsWith(`config/${sandboxID}/`) ||
  treePath.startsWith(`run/${sandboxID}/`);

/** Whatever is inside a held lock folder belongs to the lock's holder. */
function isUnder(treePath: string, expected: Map<string, 'dir' | 'file'>): boolean {
  for (let p = path.posix.dirname(treePath); p.includes('/'); p = path.posix.dirname(p)) {
    if (expected.get(p) === 'file') return true;
  }
  return false;
}

async function walk(roots: Roots, treePath: string, out: Map<string, 'dir' | 'file' | 'other'>): Promise<void> {
  const file = diskPath(roots, treePath);
  const info = await ifExists(file, lstat(file), 'lstat');
  if (!info) return;
  out.set(treePath, info.isDirectory() ? 'dir' : info.isFile() ? 'file' : 'other');
  if (!info.isDirectory()) return;
  for (const name of await readdir(file)) await walk(roots, `${treePath}/${name}`, out);
}

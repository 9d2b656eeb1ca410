import { mkdir, readdir } from 'node:fs/promises';
import { errUsage } from '../errors.ts';
import { rootsUnder } from '../layout/roots.ts';
import { reconcile } from '../projector/project.ts';
import type { ReplayOptions as AuditOptions, ReplayPoint } from '../projector/replay.ts';
import { stateAt, type StateAt } from './state-at.ts';

/**
 * Writes a sandbox's legacy tree as it was at a point under `outDir`, laid out
 * as `--root outDir` would be, with the projector's bytes and modes. The
 * folder must be empty or absent: a replay never mixes with other files.
 */
export async function replayToDir(
  file: string,
  point: ReplayPoint,
  outDir: string,
  opts: AuditOptions = {},
): Promise<StateAt> {
  await assertEmpty(outDir);
  const state = await stateAt(file, point, opts);
  const roots = rootsUnder(outDir);
  for (const root of [roots.config, roots.run]) await mkdir(root, { recursive: true, mode: 0o750 });
  await reconcile(roots, state.model);
  return state;
}

async function assertEmpty(dir: string): Promise<void> {
  const entries = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw errUsage(`cannot use ${dir} as the output folder: ${err.message}`, { cause: err });
  });
  if (entries.length > 0) throw errUsage(`${dir} is not empty: replay writes only into an empty or new folder`);
}

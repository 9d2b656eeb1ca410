import path from 'node:path';
import { errUnsafePath } from '../errors.ts';
import type { Roots } from './roots.ts';

/**
 * A tree path (`run/<sandbox>/…`) on disk. Whatever its source, it names a
 * place below one of the two legacy roots or it is refused: never the
 * journal root, never a climb out.
 */
export function diskPath(roots: Roots, treePath: string): string {
  const [root, ...rest] = treePath.split('/');
  if (
    (root !== 'config' && root !== 'run') ||
    rest.length === 0 ||
    rest.some((p) => p === '' || p === '.' || p === '..')
  ) {
    throw errUnsafePath(`refusing tree path ${JSON.stringify(treePath)}: not below the legacy roots`);
  }
  return path.join(roots[root], ...rest);
}

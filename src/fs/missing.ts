import { access } from 'node:fs/promises';
import { osError } from '../errors.ts';

/** Missing is `ENOENT` (or a file where a folder should be), and nothing else: any other error is real. */
export function isMissing(err: unknown): boolean {
  const code = errnoOf(err);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * What `io` gives, or `undefined` when `file` does not exist; every other
 * error (EACCES, EIO, ELOOP…) is rethrown with its path, never read as missing.
 */
export async function ifExists<T>(file: string, io: Promise<T>, op = 'stat'): Promise<T | undefined> {
  try {
    return await io;
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw osError(op, file, err);
  }
}

/** Whether `file` exists (a link counts when its target does); an error other than missing is raised. */
export async function fileExists(file: string): Promise<boolean> {
  return (
    (await ifExists(
      file,
      access(file).then(() => true),
    )) ?? false
  );
}

/** The `code` of a Node system error (`ENOENT`, `EACCES`…), or undefined for anything else. */
export function errnoOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;
}

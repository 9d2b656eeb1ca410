import { stat } from 'node:fs/promises';

/** The journal's size for progress reports; 0 when there is no file yet. */
export async function journalSize(file: string): Promise<number> {
  return stat(file).then(
    (s) => s.size,
    () => 0,
  );
}

import { stat } from 'node:fs/promises';
import type { ReadOptions } from '../journal/reader.ts';

export interface AuditOptions extends ReadOptions {
  /** told how far a long read has got: bytes of the journal read so far, of `total` */
  progress?: (done: number, total: number) => void;
}

/** The journal's size for progress reports; 0 when there is no file yet. */
export async function journalSize(file: string): Promise<number> {
  return stat(file).then(
    (s) => s.size,
    () => 0,
  );
}

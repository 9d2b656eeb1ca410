import { journalSize } from '../audit/journal-size.ts';
import { journalFile, type Roots } from '../layout/roots.ts';
import { progressBar, type ProgressBar } from './progress.ts';

/** A command's work over several sandboxes' journals, with one bar over the bytes of all of them. */
export interface JournalJob {
  bar: ProgressBar;
  /** a progress callback for sandbox `i`: bytes of its journal read, placed in the whole job */
  within(i: number): (done: number) => void;
  /** sandbox `i` is done */
  finished(i: number): void;
}

export async function journalJob(label: string, roots: Roots, ids: string[]): Promise<JournalJob> {
  const sizes = await Promise.all(ids.map((id) => journalSize(journalFile(roots, id))));
  const starts: number[] = [];
  let total = 0;
  for (const size of sizes) {
    starts.push(total);
    total += size;
  }
  const bar = progressBar(label, { total, unit: 'bytes', sandboxes: ids.length });
  const at = (i: number) => starts[i] ?? total;
  return {
    bar,
    within: (i) => (done) => bar.set(at(i) + done),
    finished(i) {
      bar.set(at(i) + (sizes[i] ?? 0));
      bar.finished();
    },
  };
}

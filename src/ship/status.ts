import { inspectJournal } from '../recovery/inspect.ts';
import { journaledSandboxes } from '../layout/journals.ts';
import { journalFile, type Roots } from '../layout/roots.ts';
import { readCursor } from './cursor.ts';

export interface ShipStatus {
  sandbox: string;
  /** the last readable event of the journal (before any damage) */
  journalSeq: number;
  /** the last event acknowledged by the stream, as the cursor recorded it */
  shippedSeq: number;
  lag: number;
  stream?: string;
  host?: string;
  error?: { code: string; message: string };
}

/** Lag per sandbox from the journals and the cursors, without the server: what `ship --status` prints. */
export async function shipStatus(roots: Roots): Promise<ShipStatus[]> {
  const out: ShipStatus[] = [];
  for (const sandbox of await journaledSandboxes(roots)) {
    const cursor = await readCursor(roots, sandbox);
    const { seq: journalSeq, damage } = await inspectJournal(journalFile(roots, sandbox));
    const error = cursor?.error ?? (damage ? { code: damage.code, message: damage.message } : undefined);
    const shippedSeq = cursor?.seq ?? 0;
    const status: ShipStatus = { sandbox, journalSeq, shippedSeq, lag: Math.max(0, journalSeq - shippedSeq) };
    if (cursor) Object.assign(status, { stream: cursor.stream, host: cursor.host });
    if (error) status.error = error;
    out.push(status);
  }
  return out;
}

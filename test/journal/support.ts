/** Shared fixtures for the journal tests (not a test file itself). */
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { EventInput } from '../../src/journal/record.ts';

export const journalPath = (dir: string, sandbox = 'sb1') => join(dir, 'journal', sandbox, 'journal.log');

/** A logger whose records land in an array. */
export function captureLog(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  return { log, lines };
}

/** Varied events: every optional field, unicode, JSON-hostile text, a large payload. */
export function sampleInputs(): EventInput[] {
  const big = 'x'.repeat(200_000) + '\u2028<&>' + 'y'.repeat(100);
  return [
    { op: 'store', sandbox: 'sb1', resource: 'state', payload: '{"state":"ready"}' },
    { op: 'store', sandbox: 'sb1', container: 'c1', resource: 'config', payload: big },
    { op: 'delete', sandbox: 'sb1', resources: null },
    { op: 'delete', sandbox: 'sb1', resources: ['state', 'config'], containers: ['c1', 'c2'] },
    { op: 'store', sandbox: 'sb1', container: 'ctr-é', payload: 'naïve 日本語 🚀 \u0000\u001f "quoted" \\ \n' },
    { op: 'store', sandbox: 'sb1', resource: 'lone', payload: 'surrogate \ud800 end' },
    { op: 'create', sandbox: 'sb1', containers: [] },
  ];
}

/** `xs[i]`, which the test expects to be there: a missing one fails the test with a clear message. */
export function nth<T>(xs: readonly T[], i: number): T {
  const x = xs[i];
  if (x === undefined) throw new Error(`expected an element at index ${i} of ${xs.length}`);
  return x;
}

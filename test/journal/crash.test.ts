import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { JournalWriter } from '../../src/store/session/journal-writer.ts';
import { journalPath } from './support.ts';
import { tempDir } from '../helpers/temp.ts';

const writerUrl = pathToFileURL(new URL('../../src/store/session/journal-writer.ts', import.meta.url).pathname).href;

// Appends forever, printing each seq once append has resolved (that is, after fdatasync).
const child = `
const { JournalWriter } = await import(${JSON.stringify(writerUrl)});
const w = await JournalWriter.open(process.argv[1]);
for (;;) {
  const e = await w.append({ op: 'store', sandbox: 'sb1', payload: 'z'.repeat(1000 + (w.seq % 7) * 3000) });
  process.stdout.write(e.seq + '\\n');
}`;

/** Runs the appender until it has acknowledged `acks` events, then SIGKILLs it; returns the last ack. */
function appendThenKill(file: string, acks: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child, file], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let last = 0;
    let seen = 0;
    let buf = '';
    proc.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) {
        last = Number(l);
        seen++;
      }
      if (seen >= acks) proc.kill('SIGKILL');
    });
    proc.on('error', reject);
    proc.on('exit', (_code, signal) =>
      signal === 'SIGKILL' ? resolve(last) : reject(new Error(`child exited: ${_code}`)),
    );
  });
}

test('journal - a writer killed with SIGKILL loses no acknowledged event', async (t) => {
  const dir = await tempDir(t, 'journal');
  const file = journalPath(dir);
  for (let round = 0; round < 3; round++) {
    const acked = await appendThenKill(file, 50);
    const seqs: number[] = [];
    const w = await JournalWriter.open(file, { onEvent: (e) => seqs.push(e.seq) });
    assert.ok(w.seq >= acked, `round ${round}: seq ${w.seq} < acknowledged ${acked}`);
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => i + 1),
    );
    await w.close();
  }
});

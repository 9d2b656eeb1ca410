import assert from 'node:assert/strict';
import { test } from 'node:test';
import { progressBar } from '../../src/cli/progress.ts';

const fake = (isTTY: boolean) => {
  const written: string[] = [];
  return { stream: { isTTY, write: (t: string) => written.push(t) }, written };
};

test('progress - nothing at all when stderr is not a terminal', () => {
  const { stream, written } = fake(false);
  const bar = progressBar('replay', stream);
  bar.update(5, 10);
  bar.done();
  assert.deepEqual(written, []);
});

test('progress - one redrawn line on a terminal, only when it changes, erased when done', () => {
  const { stream, written } = fake(true);
  const bar = progressBar('export', stream);
  bar.update(0, 200);
  bar.update(1, 200); // still 0%, no redraw
  bar.update(100, 200);
  bar.update(400, 200); // clamped
  bar.done();
  assert.deepEqual(written, [
    `\rexport [${' '.repeat(30)}] 0%`,
    `\rexport [${'#'.repeat(15)}${' '.repeat(15)}] 50%`,
    `\rexport [${'#'.repeat(30)}] 100%`,
    '\r\x1b[K',
  ]);
});

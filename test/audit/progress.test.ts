import assert from 'node:assert/strict';
import { test } from 'node:test';
import { progressBar } from '../../src/cli/progress.ts';

const fake = (isTTY: boolean) => {
  const written: string[] = [];
  return { stream: { isTTY, write: (t: string) => written.push(t) }, written };
};

/** A clock the test moves by hand. */
const clock = () => {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
};

test('progress - nothing at all when stderr is not a terminal', (t) => {
  const { stream, written } = fake(false);
  const printed: string[] = [];
  t.mock.method(process.stdout, 'write', (s: string) => printed.push(s));
  const bar = progressBar('replay', { total: 10, unit: 'bytes' }, stream);
  bar.set(5);
  bar.finished();
  bar.print('row');
  bar.done();
  assert.deepEqual(written, []);
  assert.deepEqual(printed, ['row\n']);
});

test('progress - one bar for the whole job with counts and ETA, redrawn at most every 100 ms, erased when done', () => {
  const { stream, written } = fake(true);
  const c = clock();
  const bar = progressBar('list', { total: 4e6, unit: 'bytes', sandboxes: 4 }, stream, c.now);
  c.advance(1000);
  bar.set(1e6);
  c.advance(10);
  bar.set(1.5e6); // too soon: not drawn
  bar.finished();
  c.advance(990);
  bar.set(2e6);
  c.advance(1000);
  bar.set(9e6); // clamped, no ETA at the end
  bar.done();
  assert.deepEqual(written, [
    `\r\x1b[Klist [${'#'.repeat(6)}${' '.repeat(18)}] 25% · 0/4 sandboxes · 1.0/4.0 MB · ETA 3s`,
    `\r\x1b[Klist [${'#'.repeat(12)}${' '.repeat(12)}] 50% · 1/4 sandboxes · 2.0/4.0 MB · ETA 2s`,
    `\r\x1b[Klist [${'#'.repeat(24)}] 100% · 1/4 sandboxes · 4.0/4.0 MB`,
    '\r\x1b[K',
  ]);
});

test('progress - a printed row erases the bar, is written whole, and the bar comes back under it', (t) => {
  const { stream, written } = fake(true);
  const printed: string[] = [];
  t.mock.method(process.stdout, 'write', (s: string) => {
    printed.push(s);
    written.push(`stdout:${s}`);
  });
  const c = clock();
  const bar = progressBar('verify', { total: 2, unit: 'sandboxes' }, stream, c.now);
  c.advance(200);
  bar.finished();
  c.advance(150);
  bar.print('sb1: ok');
  bar.print('sb2: ok'); // too soon after the redraw: the bar waits for the next one
  bar.done();
  assert.deepEqual(printed, ['sb1: ok\n', 'sb2: ok\n']);
  const line = `verify [${'#'.repeat(12)}${' '.repeat(12)}] 50% · 1/2 sandboxes`;
  assert.deepEqual(written, [
    `\r\x1b[K${line}`,
    '\r\x1b[K',
    'stdout:sb1: ok\n',
    `\r\x1b[K${line}`,
    '\r\x1b[K',
    'stdout:sb2: ok\n',
  ]);
});

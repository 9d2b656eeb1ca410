import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CLI } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitFor } from '../helpers/wait.ts';
import { scriptArgv } from '../helpers/script.ts';

const FLOOD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../helpers/flood-writer.ts');

test('watch stop - after a 40,000-file flood it exits within 2 s of SIGTERM, and says a gap was possible', async (t) => {
  const root = await tempDir(t, 'watch-flood');
  const child = spawn(process.execPath, [...CLI, 'watch', '--root', root, '--log-level', 'info'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, VCSTORE_LOG: '' },
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number>((resolve) => child.once('exit', () => resolve(Date.now())));
  try {
    await waitFor(() => err.includes('"msg":"watching"'), {
      what: 'watch to start',
      timeout: 20_000,
      detail: () => err,
      hopeless: () => (child.exitCode === null && child.signalCode === null ? undefined : `it exited: ${err}`),
    });
    // A real process writes the flood; the watch is busy recording it when the stop comes.
    const flood = spawn(process.execPath, [...scriptArgv(FLOOD), root, '40000'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    flood.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((resolve) => flood.once('exit', resolve));
    assert.match(out, /"files":40000/);
    const stoppedAt = Date.now();
    child.kill('SIGTERM');
    let deadline: NodeJS.Timeout | undefined;
    const exitedAt = await Promise.race([
      exited,
      new Promise<number>((r) => (deadline = setTimeout(() => r(-1), 15_000))),
    ]);
    clearTimeout(deadline);
    assert.notEqual(exitedAt, -1, `no exit within 15 s of SIGTERM: ${err.slice(-1000)}`);
    assert.ok(exitedAt - stoppedAt <= 2000, `exited ${exitedAt - stoppedAt} ms after SIGTERM`);
    assert.equal(child.exitCode, 0, err.slice(-2000));
    assert.match(err, /stopped before reading every change: a gap was possible/);
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  }
});

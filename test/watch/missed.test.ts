import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, ftruncateSync, linkSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { rootsUnder } from '../../src/layout/roots.ts';
import { CLI } from '../helpers/cli.ts';
import { events } from '../helpers/store.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitFor } from '../helpers/wait.ts';

const CHECK_MS = 1000;

test('watch missed - a write fs.watch never reports (made through a hard link outside the watched folders) is recorded within the metadata check period', async (t) => {
  const root = await tempDir(t, 'watch-missed');
  const roots = rootsUnder(root);
  const file = path.join(roots.run, 'sb', 'state.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '{"state":"ready"}');
  // inotify reports a write to the folder it was made through: this name is in no watched folder.
  const elsewhere = path.join(root, 'elsewhere');
  mkdirSync(elsewhere);
  linkSync(file, path.join(elsewhere, 'state.json'));
  const child = spawn(
    process.execPath,
    [...CLI, 'watch', '--root', root, '--log-level', 'info', '--settle-ms', '20', '--check-ms', String(CHECK_MS)],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, VCSTORE_LOG: '' } },
  );
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await waitFor(() => err.includes('"msg":"watching"'), {
      what: 'watch to start',
      timeout: 20_000,
      detail: () => err,
      hopeless: () => (child.exitCode === null && child.signalCode === null ? undefined : `it exited: ${err}`),
    });
    assert.ok((await events(roots, 'sb')).some((e) => e.op === 'store' && e.payload === '{"state":"ready"}'));
    // As the legacy writer does, in place: truncate, then write.
    const fd = openSync(path.join(elsewhere, 'state.json'), 'r+');
    ftruncateSync(fd, 0);
    writeSync(fd, '{"state":"running"}');
    closeSync(fd);
    const written = Date.now();
    const seen = (log: Awaited<ReturnType<typeof events>>) =>
      log.some((e) => e.op === 'observe' && e.path === 'run/sb/state.json' && e.payload === '{"state":"running"}');
    await waitFor(async () => seen(await events(roots, 'sb')), {
      what: 'the missed write to be recorded',
      timeout: 15_000,
      detail: () => err.slice(-1500),
    });
    // The bound docs/adoption.md gives: the check period, one check of a small tree, the settle time and
    // the read; with room for a loaded test machine.
    const after = Date.now() - written;
    assert.ok(after < CHECK_MS + 3000, `recorded ${after} ms after the write`);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
});

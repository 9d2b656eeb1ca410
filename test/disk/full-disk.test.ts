/**
 * A disk that really fills up: every root on a small tmpfs, filled with a
 * filler file until the kernel says ENOSPC.
 */
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { spawnSync } from 'node:child_process';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { StoreError } from '../../src/errors.ts';
import { journalFile, rootsUnder } from '../../src/layout/roots.ts';
import { Store } from '../../src/store/store.ts';
import { events } from '../helpers/store.ts';
import { fillDisk, freePages, pageSize, withTmpfs } from '../helpers/tmpfs.ts';
import { snapshot } from '../helpers/tree.ts';
import { CLI } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const state = (s: string) => ({ type: 'State' as const, value: { state: s } });
const legacyTree = (dir: string) =>
  snapshot(dir, (rel) => rel === 'var/lib/virtcontainers/journal' || rel === 'filler');

async function failure(promise: Promise<unknown>): Promise<StoreError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof StoreError, `expected a StoreError, got ${err === undefined ? 'success' : inspect(err)}`);
  return err;
}

test('full disk - a store that cannot be appended fails with ENOSPC, cuts the journal back and changes nothing', (t) =>
  withTmpfs(t, 512, async (dir) => {
    const roots = rootsUnder(dir);
    const filler = path.join(dir, 'filler');
    const store = new Store({ roots });
    try {
      await store.createAllResources({ id: 'sb', containers: ['c'] });
      for (const s of ['ready', 'running', 'paused']) await store.storeSandboxResource('sb', 'state', state(s));
      const journal = journalFile(roots, 'sb');
      const size = (await stat(journal)).size;
      const before = { events: await events(roots, 'sb'), tree: await legacyTree(dir) };

      fillDisk(filler);
      // Over a page, so the record cannot fit in the slack of the journal's last page.
      const big = state('x'.repeat(2 * (await pageSize(dir))));
      const err = await failure(store.storeSandboxResource('sb', 'state', big));
      assert.ok(['ENOSPC', 'EIO'].includes(err.code), `${err.code}: ${err.message}`);
      assert.match(err.message, /no space left on device/);
      assert.equal((await stat(journal)).size, size, 'the partial record is cut off');
      assert.deepEqual(await legacyTree(dir), before.tree);
      assert.deepEqual(await events(roots, 'sb'), before.events);

      await rm(filler);
      const event = await store.storeSandboxResource('sb', 'state', big);
      assert.equal(event.seq, before.events.length + 1);
      assert.equal(await readFile(path.join(roots.run, 'sb', 'state.json'), 'utf8'), event.payload);
    } finally {
      await store.close();
    }
  }));

test('full disk - a new Store opens a sandbox on a full disk and reads exactly its events', (t) =>
  withTmpfs(t, 512, async (dir) => {
    const roots = rootsUnder(dir);
    const store = new Store({ roots });
    await store.createAllResources({ id: 'sb' });
    await store.storeSandboxResource('sb', 'state', state('ready'));
    await store.close();
    const before = { events: await events(roots, 'sb'), tree: await legacyTree(dir) };

    fillDisk(path.join(dir, 'filler'));
    const reader = new Store({ roots });
    try {
      assert.equal(await reader.seq('sb'), before.events.length);
      assert.deepEqual(await events(roots, 'sb'), before.events);
      assert.deepEqual(await legacyTree(dir), before.tree);
    } finally {
      await reader.close();
    }
  }));

test('full disk - room for the journal record but not the projection: EPROJECT, old file intact, rebuilt on reopen', (t) =>
  withTmpfs(t, 1024, async (dir) => {
    const roots = rootsUnder(dir);
    const filler = path.join(dir, 'filler');
    const agentFile = path.join(roots.run, 'sb', 'agent.json');
    let store = new Store({ roots });
    try {
      await store.createAllResources({ id: 'sb' });
      await store.storeAgentState('sb', { url: 'vsock://old' });
      const old = await readFile(agentFile, 'utf8');
      const seq = await store.seq('sb');
      const size = (await stat(journalFile(roots, 'sb'))).size;

      // Free a page at a time until the ~64 KiB record fits: then its 64 KiB temp file cannot.
      fillDisk(filler);
      const big = { blob: 'x'.repeat(64 * 1024) };
      let err: StoreError | undefined;
      for (let pages = 0; pages < 64 && (err === undefined || err.code === 'ENOSPC'); pages++) {
        await freePages(filler, 1);
        err = await failure(store.storeAgentState('sb', big));
        if (err.code === 'ENOSPC') assert.equal((await stat(journalFile(roots, 'sb'))).size, size, 'journal cut back');
      }
      assert.equal(err?.code, 'EPROJECT', err?.message);
      assert.equal(err.seq, seq + 1);
      assert.match(err.message, /durable.*no space left on device/);
      assert.equal(await readFile(agentFile, 'utf8'), old, 'the old file is neither torn nor empty');
      assert.deepEqual(await readdir(path.dirname(agentFile)), ['agent.json', 'lock'], 'no temp file left behind');
      const last = (await events(roots, 'sb')).at(-1)!;
      assert.equal(last.seq, seq + 1);

      // The writer goes away while the disk is still full; space comes back; a new writer opens the sandbox.
      await store.close();
      await rm(filler);
      store = new Store({ roots });
      assert.equal(await store.seq('sb'), seq + 1);
      assert.equal(await readFile(agentFile, 'utf8'), last.payload, 'rebuilt from the journal');
    } finally {
      await store.close();
    }
  }));

test('full disk - after a failed projection the same Store rebuilds the file before its next write', (t) =>
  withTmpfs(t, 1024, async (dir) => {
    const roots = rootsUnder(dir);
    const filler = path.join(dir, 'filler');
    const store = new Store({ roots });
    try {
      await store.createAllResources({ id: 'sb' });
      await store.storeAgentState('sb', { url: 'vsock://old' });
      fillDisk(filler);
      const big = { blob: 'y'.repeat(64 * 1024) };
      let err: StoreError | undefined;
      for (let pages = 0; pages < 64 && (err === undefined || err.code === 'ENOSPC'); pages++) {
        await freePages(filler, 1);
        err = await failure(store.storeAgentState('sb', big));
      }
      assert.equal(err?.code, 'EPROJECT', err?.message);

      await rm(filler);
      const next = await store.storeSandboxResource('sb', 'state', state('ready'));
      assert.equal(next.seq, err.seq! + 1);
      const agent = (await events(roots, 'sb')).find((e) => e.seq === err.seq)!;
      assert.equal(await readFile(path.join(roots.run, 'sb', 'agent.json'), 'utf8'), agent.payload);
    } finally {
      await store.close();
    }
  }));

test('full disk - apply gives each op its own coded error and runs every op, acknowledged events intact', (t) =>
  withTmpfs(t, 512, async (dir) => {
    const roots = rootsUnder(dir);
    const store = new Store({ roots });
    await store.createAllResources({ id: 'sb', containers: ['c'] });
    await store.close();
    const before = await events(roots, 'sb');
    const big = 'x'.repeat(2 * (await pageSize(dir)));
    const ops = Array.from({ length: 60 }, (_, i) =>
      i % 2 === 0
        ? {
            method: 'storeSandboxResource',
            sandboxID: 'sb',
            resource: 'stateFileType',
            goType: 'virtcontainers.State',
            data: { state: `${big}${i}` },
          }
        : {
            method: 'storeContainerResource',
            sandboxID: 'sb',
            containerID: 'c',
            resource: 'configFileType',
            goType: 'virtcontainers.ContainerConfig',
            data: { ID: `${big}${i}` },
          },
    );
    const outside = await tempDir(t, 'ops');
    const opsFile = path.join(outside, 'ops.json');
    await writeFile(opsFile, JSON.stringify(ops));
    // Room for a few journal records but not for their legacy files: projections fail, then the rebuilds before later ops.
    fillDisk(path.join(dir, 'filler'));
    await freePages(path.join(dir, 'filler'), 8);
    const run = spawnSync(process.execPath, [...CLI, 'apply', '--root', dir, opsFile], { encoding: 'utf8' });
    const lines = run.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { i: number; error: string | null });
    assert.deepEqual(
      lines.map((l) => l.i),
      ops.map((_, i) => i),
      `every op ran: ${run.stderr.slice(0, 300)}`,
    );
    assert.ok(
      lines.every((l) => l.error === null || /no space left on device|EPROJECT|not updated/.test(l.error)),
      JSON.stringify(lines.find((l) => l.error !== null && !/no space/.test(l.error))),
    );
    assert.ok(
      lines.some((l) => l.error !== null && /EPROJECT|not updated/.test(l.error)),
      'some event was durable but not projected',
    );
    const after = await events(roots, 'sb');
    assert.deepEqual(after.slice(0, before.length), before, 'acknowledged events intact');
  }));

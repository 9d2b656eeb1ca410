import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, chown, lstat, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { journalFile, rootsUnder } from '../../src/layout/roots.ts';
import { Store } from '../../src/store/store.ts';
import { MAX_PAYLOAD } from '../../src/legacy/value-bounds.ts';
import { verify, verifySandbox } from '../../src/recovery/verify.ts';
import { events, rejectsWith, tempStore } from '../helpers/store.ts';
import { CLI } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const exists = (p: string) =>
  lstat(p).then(
    () => true,
    () => false,
  );

test('hostile input - IDs that start with dots are names, not climbs: every method works on them', async (t) => {
  const { store, roots, done } = await tempStore(t);
  try {
    for (const id of ['...', '..x', '.hidden', 'x..']) {
      await store.createAllResources({ id, containers: ['..c'] });
      await store.storeSandboxResource(id, 'state', { type: 'State', value: { state: 'ready' } });
      await store.storeContainerProcess(id, '..c', { Pid: 1 });
      assert.deepEqual(await store.fetchSandboxState(id), {
        state: 'ready',
        blockIndex: 0,
        fstype: '',
        hotpluggedDrive: false,
      });
      await store.deleteContainerResources(id, '..c', null);
      await store.deleteSandboxResources(id, null);
      assert.equal(await exists(path.join(roots.config, id)), false);
    }
    assert.equal((await verify(roots)).consistent, true);
  } finally {
    await done();
  }
});

test('hostile input - apply runs every op even when one fails for a reason of its own', async (t) => {
  const { root, done } = await tempStore(t);
  try {
    const ops = path.join(root, 'ops.json');
    await writeFile(
      ops,
      JSON.stringify([
        { method: 'createAllResources', sandboxID: '..x', data: { sandboxID: '..x', containerIDs: [] } },
        {
          method: 'storeSandboxResource',
          sandboxID: '../x',
          resource: 'stateFileType',
          goType: 'virtcontainers.State',
          data: { state: 'a' },
        },
        {
          method: 'storeSandboxResource',
          sandboxID: '..x',
          resource: 'stateFileType',
          goType: 'virtcontainers.State',
          data: { state: 'b' },
        },
      ]),
    );
    const run = spawnSync(process.execPath, [...CLI, 'apply', '--root', root, ops], { encoding: 'utf8' });
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { error: string | null });
    assert.equal(lines.length, 3, run.stderr);
    assert.deepEqual(
      lines.map((l) => l.error === null),
      [true, false, true],
    );
  } finally {
    await done();
  }
});

test('hostile input - every map key is data: __proto__, constructor and prototype survive in every map type', async (t) => {
  const { store, done } = await tempStore(t);
  try {
    await store.createAllResources({ id: 'sb', containers: ['c'] });
    const expected = '{"__proto__":"a","constructor":"b","prototype":"c","toString":"d"}';
    const map = JSON.parse(expected) as Record<string, string>; // JSON.parse makes __proto__ an own key
    assert.ok(Object.hasOwn(map, '__proto__'));
    await store.storeSandboxResource('sb', 'config', { type: 'SandboxConfig', value: { ID: 'sb', Annotations: map } });
    await store.storeContainerResource('sb', 'c', 'config', {
      type: 'ContainerConfig',
      value: { ID: 'c', Annotations: map },
    });
    await store.storeAgentState('sb', map);
    await store.storeHypervisorState('sb', { nested: [map] });
    const payloads = (await events(store.roots, 'sb')).filter((e) => e.op === 'store').map((e) => e.payload ?? '');
    assert.equal(payloads.length, 4);
    for (const payload of payloads) assert.ok(payload.includes(expected), payload.slice(0, 200));
  } finally {
    await done();
  }
});

test('hostile input - oversized values are refused by size before any expensive work, and nothing is written', async (t) => {
  const { store, roots, done } = await tempStore(t);
  try {
    await store.createAllResources({ id: 'sb' });
    const before = await readFile(journalFile(roots, 'sb'));
    const sparse: unknown[] = [];
    sparse.length = 2 ** 32 - 1;
    const wide: Record<string, number> = {};
    for (let i = 0; i < MAX_PAYLOAD / 4; i++) wide[`k${i}`] = i;
    for (const value of ['<'.repeat(MAX_PAYLOAD + 1), sparse, wide, { list: new Array(MAX_PAYLOAD + 1) }]) {
      await rejectsWith(store.storeAgentState('sb', value), 'EPAYLOAD');
      await rejectsWith(
        // @ts-expect-error -- values no State field takes, on purpose
        store.storeSandboxResource('sb', 'state', { type: 'State', value: { state: value } }),
        'EPAYLOAD',
      );
    }
    // A 75 MB string of '<' made V8 abort the process while it was being escaped; now it is a coded error.
    await rejectsWith(store.storeAgentState('sb', '<'.repeat(75 * 1024 * 1024)), 'EPAYLOAD');
    assert.deepEqual(await readFile(journalFile(roots, 'sb')), before);
    // Just under the limit still works: the limit is on size, not on shape.
    await store.storeAgentState('sb', 'x'.repeat(MAX_PAYLOAD - 100));
  } finally {
    await done();
  }
});

test('hostile input - links in the journal root are refused and reported, never followed', async (t) => {
  const { store, roots, root, done } = await tempStore(t);
  const outside = await tempDir(t, 'outside');
  try {
    await store.createAllResources({ id: 'real' });
    await mkdir(roots.journal, { recursive: true });
    await symlink(outside, path.join(roots.journal, 'sb'));
    await rejectsWith(store.createAllResources({ id: 'sb' }), 'EUNSAFEPATH');
    assert.equal(await exists(path.join(outside, 'journal.log')), false, 'nothing written outside the root');
    const verdict = await verifySandbox(roots, 'sb');
    assert.equal(verdict.damage?.code, 'EUNSAFEPATH');
    const report = await verify(roots);
    assert.deepEqual(
      report.sandboxes.map((s) => [s.sandbox, s.consistent]),
      [
        ['real', true],
        ['sb', false],
      ],
    );

    await writeFile(path.join(roots.journal, 'stray-file'), 'x');
    assert.deepEqual((await verify(roots)).strays, [{ name: 'stray-file', problem: 'not a folder' }]);

    const locksRoot = path.join(root, 'other');
    const linked = rootsUnder(locksRoot);
    await mkdir(linked.journal, { recursive: true });
    await symlink(outside, path.join(linked.journal, '@locks'));
    const other = new Store({ roots: linked });
    await rejectsWith(other.createAllResources({ id: 'sb' }), 'EUNSAFEPATH');
    await other.close();
  } finally {
    await done();
  }
});

test('hostile input - a replaced legacy file keeps the mode and owner someone gave it', async (t) => {
  const { store, roots, done } = await tempStore(t);
  try {
    await store.createAllResources({ id: 'sb' });
    await store.storeSandboxResource('sb', 'config', { type: 'SandboxConfig', value: { ID: 'sb' } });
    const file = path.join(roots.config, 'sb', 'config.json');
    await chmod(file, 0o600);
    if (process.getuid?.() === 0) await chown(file, 0, 4242);
    else t.diagnostic('not root: only the mode is checked');
    await store.storeSandboxResource('sb', 'config', { type: 'SandboxConfig', value: { ID: 'sb', Hostname: 'h' } });
    const info = await stat(file);
    assert.equal(info.mode & 0o7777, 0o600);
    if (process.getuid?.() === 0) assert.equal(info.gid, 4242);
    assert.match(await readFile(file, 'utf8'), /"Hostname":"h"/);
  } finally {
    await done();
  }
});

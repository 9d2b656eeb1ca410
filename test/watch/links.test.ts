import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { DriftPolicy } from '../../src/journal/record.ts';
import { journalFile, rootsUnder } from '../../src/layout/roots.ts';
import { vcstore } from '../helpers/cli.ts';
import { Store } from '../../src/store/store.ts';
import { events } from '../helpers/store.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitFor } from '../helpers/wait.ts';
import { startWatch as startWatchWith, stopWatch } from './support.ts';

const SECRET = 'SECRET-7c1e9a-never-in-the-history';

const startWatch = (root: string, policy: DriftPolicy) =>
  startWatchWith(root, ['--settle-ms', '20', '--on-drift', policy]);

/** Replaces `at` (a file or a folder) with a link to `target`, in one rename as an attacker would. */
function swapForLink(at: string, target: string): void {
  const link = `${at}.swap`;
  symlinkSync(target, link);
  rmSync(at, { recursive: true, force: true });
  renameSync(link, at);
}

const snapshot = (files: string[]) =>
  files.map((f) => ({ f, bytes: readFileSync(f, 'utf8'), mtime: statSync(f).mtimeMs, ino: statSync(f).ino }));

for (const policy of ['adopt', 'restore'] as const) {
  test(`watch links - a sandbox folder, a container folder and a state.json swapped for links to an outside secret are recorded as links, never read or written through (${policy})`, async (t) => {
    const root = await tempDir(t, 'watch-links');
    const roots = rootsUnder(root);
    const outside = path.join(root, 'outside');
    const secretFile = path.join(outside, 'secret.json');
    const secretSandbox = path.join(outside, 'sandbox');
    const secretContainer = path.join(outside, 'container');
    for (const dir of [secretSandbox, secretContainer]) mkdirSync(dir, { recursive: true });
    const secretState = `{"state":"${SECRET}"}`;
    const secrets = [secretFile, path.join(secretSandbox, 'state.json'), path.join(secretContainer, 'state.json')];
    for (const f of secrets) writeFileSync(f, secretState);
    // The runtime's own tree: three sandboxes, one with a container.
    for (const [rel, content] of [
      ['sbfile/state.json', '{"state":"ready"}'],
      ['sbdir/state.json', '{"state":"ready"}'],
      ['sbcont/c1/state.json', '{"state":"ready"}'],
    ] as const) {
      const file = path.join(roots.run, rel);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
    const watch = await startWatch(root, policy);
    try {
      await waitFor(async () => (await events(roots, 'sbcont')).length > 0, { what: 'the tree to be adopted' });
      swapForLink(path.join(roots.run, 'sbfile/state.json'), secretFile);
      swapForLink(path.join(roots.run, 'sbdir'), secretSandbox);
      swapForLink(path.join(roots.run, 'sbcont/c1'), secretContainer);
      // The runtime, following the links, keeps writing: the watch sees events on the paths.
      for (const f of secrets) writeFileSync(f, secretState);
      const before = snapshot(secrets);
      const swaps = [
        ['sbfile', 'run/sbfile/state.json', secretFile],
        ['sbdir', 'run/sbdir', secretSandbox],
        ['sbcont', 'run/sbcont/c1', secretContainer],
      ] as const;
      for (const [id, treePath, target] of swaps)
        await waitFor(
          async () =>
            (await events(roots, id)).some(
              (e) => e.op === 'observe' && e.path === treePath && e.found === 'link' && e.target === target,
            ),
          {
            what: `${treePath} to be observed as a link to ${target}`,
            timeout: 20_000,
            detail: async () => JSON.stringify((await events(roots, id)).slice(-4)) + watch.stderr().slice(-2000),
          },
        );
      if (policy === 'restore') {
        // The journal's file and folders are back in place of the links, with what the journal holds in them.
        const restored = () =>
          ['sbfile/state.json', 'sbdir/state.json', 'sbcont/c1/state.json'].map((rel) => {
            const file = path.join(roots.run, rel);
            const link = ['sbfile/state.json', 'sbdir', 'sbcont/c1'].some((l) =>
              lstatSync(path.join(roots.run, l), { throwIfNoEntry: false })?.isSymbolicLink(),
            );
            return link ? 'a link' : lstatSync(file, { throwIfNoEntry: false }) ? readFileSync(file, 'utf8') : 'absent';
          });
        await waitFor(() => restored().every((c) => c === '{"state":"ready"}'), {
          what: 'the links to be replaced by the journal state',
          timeout: 20_000,
          detail: () => JSON.stringify(restored()) + watch.stderr().slice(-2000),
        });
      } else {
        for (const rel of ['sbfile/state.json', 'sbdir', 'sbcont/c1'])
          assert.ok(lstatSync(path.join(roots.run, rel)).isSymbolicLink(), `${rel}: adopt leaves the link`);
      }
      // Nothing was written through a link: the outside files are as they were.
      assert.deepEqual(snapshot(secrets), before);
    } finally {
      await stopWatch(watch);
    }
    for (const id of ['sbfile', 'sbdir', 'sbcont'])
      assert.ok(!readFileSync(journalFile(roots, id)).includes(SECRET), `${id}: the secret is in the journal`);
    const exported = vcstore(['export', '--root', root, '--all']);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /"found":"link"/);
    assert.ok(!exported.stdout.includes(SECRET), 'the secret is in the export');
  });
}

test('watch links - a store under restore observes links where the journal holds a file, a folder and the lock, and puts the journal back in their place', async (t) => {
  const root = await tempDir(t, 'store-links');
  const roots = rootsUnder(root);
  const secretFile = path.join(root, 'outside', 'secret.json');
  const secretDir = path.join(root, 'outside', 'dir');
  mkdirSync(secretDir, { recursive: true });
  writeFileSync(secretFile, `{"state":"${SECRET}"}`);
  writeFileSync(path.join(secretDir, 'state.json'), `{"state":"${SECRET}"}`);
  const store = new Store({ roots, drift: 'restore' });
  try {
    await store.createAllResources({ id: 'sb', containers: ['c1'] });
    await store.storeSandboxResource('sb', 'state', { type: 'State', value: { state: 'running' } });
    await store.storeContainerResource('sb', 'c1', 'state', { type: 'State', value: { state: 'ready' } });
    const sb = path.join(roots.run, 'sb');
    const expected = {
      'state.json': readFileSync(path.join(sb, 'state.json'), 'utf8'),
      'c1/state.json': readFileSync(path.join(sb, 'c1/state.json'), 'utf8'),
    };
    const before = snapshot([secretFile, path.join(secretDir, 'state.json')]);
    swapForLink(path.join(sb, 'state.json'), secretFile);
    swapForLink(path.join(sb, 'c1'), secretDir);
    swapForLink(path.join(sb, 'lock'), secretFile);
    await store.observe('sb', ['run/sb', 'config/sb']);
    await store.observe('sb', ['run/sb', 'config/sb']); // nothing more to record
    const seen = (await events(roots, 'sb')).filter((e) => e.op === 'observe');
    assert.deepEqual(
      seen.map((e) => [e.path, e.found, e.target, e.policy]),
      [
        ['run/sb/c1', 'link', secretDir, 'restore'],
        ['run/sb/lock', 'link', secretFile, 'restore'],
        ['run/sb/state.json', 'link', secretFile, 'restore'],
      ],
    );
    for (const rel of ['state.json', 'c1', 'lock']) assert.ok(!lstatSync(path.join(sb, rel)).isSymbolicLink(), rel);
    for (const [rel, content] of Object.entries(expected))
      assert.equal(readFileSync(path.join(sb, rel), 'utf8'), content);
    assert.deepEqual(snapshot([secretFile, path.join(secretDir, 'state.json')]), before);
    assert.ok(!readFileSync(journalFile(roots, 'sb')).includes(SECRET));
  } finally {
    await store.close();
  }
});

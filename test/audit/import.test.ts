import assert from 'node:assert/strict';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { importLegacy, type ImportResult } from '../../src/import/legacy.ts';
import { rootsUnder, type Roots } from '../../src/layout/roots.ts';
import { vcstore } from '../helpers/cli.ts';
import { scenarios, type Scenario } from '../helpers/fixtures.ts';
import { events } from '../helpers/store.ts';
import { snapshot } from '../helpers/tree.ts';
import { tempDir } from '../helpers/temp.ts';

const CONFIG = 'var/lib/virtcontainers/sandboxes';
const RUN = 'run/virtcontainers/sandboxes';

/** A fixture's tree in a fresh folder, with the empty folders git does not keep. */
async function legacyCopy(scenario: Scenario, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await cp(path.join(scenario.dir, 'tree'), dir, { recursive: true }).catch((err) => {
    if (err.code !== 'ENOENT') throw err; // a scenario whose tree holds only empty folders
  });
  for (const entry of scenario.modes.entries)
    if (entry.type === 'dir') await mkdir(path.join(dir, entry.path), { recursive: true });
}

async function importAll(to: Roots, from: Roots): Promise<ImportResult[]> {
  const results: ImportResult[] = [];
  for await (const result of importLegacy(to, from)) results.push(result);
  return results;
}

/** A sandbox's files and folders, by path under its root, without modes (git does not keep them). */
async function sandboxTree(root: string, sandbox: string): Promise<Map<string, string | null>> {
  const tree = await snapshot(root);
  const out = new Map<string, string | null>();
  for (const [rel, entry] of tree) {
    if ([CONFIG, RUN].some((r) => rel === `${r}/${sandbox}` || rel.startsWith(`${r}/${sandbox}/`)))
      out.set(rel, entry.content ?? null);
  }
  return out;
}

/** The files each fixture holds on purpose that no legacy fetch could read, and the folders vcstore refuses. */
const EXPECTED_SKIPS = {
  'sb-many': [`${CONFIG}/sb-many/c-é-日本`, `${RUN}/sb-many/c-é-日本`],
  'sb-err': [`${CONFIG}/sb-err/config.json`, `${RUN}/sb-err/agent.json`, `${RUN}/sb-err/c-err/process.json`],
  'sb-fetch': [
    'c-dev-badfield/devices.json',
    'c-dev-obj/devices.json',
    'c-dev-usb/devices.json',
    'c-dev-vhost/devices.json',
    'c-fetch/process.json',
    'state.json',
  ].map((p) => `${RUN}/sb-fetch/${p}`),
  nested: [`${CONFIG}/nested/sb/deep`, `${RUN}/nested/sb/deep`, `${RUN}/nested/sb/lock`],
  'sb-blocked-config': [`${CONFIG}/sb-blocked-config`],
};

test('audit import - every fixture tree is adopted, consistent with its new journal, broken files skipped', async (t) => {
  const skips: Record<string, string[]> = {};
  let imported = 0;
  for (const scenario of scenarios()) {
    const base = await tempDir(t, 'import');
    const legacy = path.join(base, 'legacy');
    await legacyCopy(scenario, legacy);
    const target = path.join(base, 'target');
    const results = await importAll(rootsUnder(target), rootsUnder(legacy));
    imported += results.length;
    for (const r of results) {
      const where = `${scenario.name} ${r.sandbox}`;
      assert.equal(r.status, 'imported', `${where}: ${r.reason}`);
      assert.deepEqual(r.drift, [], where);
      assert.equal((await events(rootsUnder(target), r.sandbox)).length, r.events, where);
      if (r.skipped.length > 0) {
        skips[r.sandbox] = r.skipped.map((s) => path.relative(legacy, s.path));
        continue;
      }
      // Byte for byte the legacy tree, except the lock: it belongs to its holder (Go kept even a folder there).
      const isLock = (rel: string) => rel.startsWith(`${RUN}/${r.sandbox}/lock`);
      const before = await sandboxTree(legacy, r.sandbox);
      const after = await sandboxTree(target, r.sandbox);
      for (const [rel, content] of before) if (!isLock(rel)) assert.equal(after.get(rel), content, `${where}: ${rel}`);
      for (const rel of after.keys()) assert.ok(before.has(rel) || isLock(rel), `${where}: extra ${rel}`);
    }
  }
  assert.deepEqual(skips, EXPECTED_SKIPS);
  assert.equal(imported, 34, 'every sandbox folder of every fixture');
});

test('audit import - in place, the tree is left as it was and only skipped entries differ from the journal', async (t) => {
  for (const scenario of scenarios()) {
    const base = await tempDir(t, 'import');
    await legacyCopy(scenario, base);
    const before = await snapshot(base);
    for (const r of await importAll(rootsUnder(base), rootsUnder(base))) {
      const where = `${scenario.name} ${r.sandbox}`;
      const skipped = r.skipped.map((s) =>
        path
          .relative(base, s.path)
          .replace(/^var\/lib\/virtcontainers\/sandboxes/, 'config')
          .replace(/^run\/virtcontainers\/sandboxes/, 'run'),
      );
      const explained = (p: string) => skipped.some((s) => p === s || p.startsWith(`${s}/`));
      assert.ok(
        r.drift.every((d) => d.problem === 'extra' && explained(d.path)),
        `${where}: ${JSON.stringify(r.drift)}`,
      );
      assert.ok(
        skipped.every((s) => r.drift.some((d) => d.path === s)),
        `${where}: every skipped entry stays on disk`,
      );
    }
    const after = await snapshot(base, (rel) => rel === 'var/lib/virtcontainers/journal');
    for (const [rel, entry] of before)
      assert.equal(after.get(rel)?.content, entry.content, `${scenario.name}: ${rel} untouched`);
  }
});

test('audit import - the events have the store’s own shapes', async (t) => {
  const base = await tempDir(t, 'import');
  const legacy = rootsUnder(path.join(base, 'legacy'));
  await mkdir(path.join(legacy.config, 'old', 'c1'), { recursive: true });
  await mkdir(path.join(legacy.run, 'old'), { recursive: true });
  await writeFile(path.join(legacy.config, 'old', 'config.json'), '{"ID":"old"}');
  await writeFile(path.join(legacy.run, 'old', 'state.json'), '{ "state": "running" }');
  const target = rootsUnder(path.join(base, 'target'));
  const [result] = await importAll(target, legacy);
  assert.deepEqual(result, { sandbox: 'old', status: 'imported', events: 4, skipped: [], drift: [] });
  const shapes = (await events(target, 'old')).map(
    ({ v: _v, seq: _s, time: _t, pid: _p, boot: _b, prev: _pr, ...rest }) => rest,
  );
  assert.deepEqual(shapes, [
    { op: 'create', sandbox: 'old', containers: ['c1'] },
    // c1 has a config folder only: the run folder the create made is removed again.
    { op: 'delete', sandbox: 'old', container: 'c1', resources: ['state'] },
    { op: 'store', sandbox: 'old', resource: 'config', payload: '{"ID":"old"}' },
    { op: 'store', sandbox: 'old', resource: 'state', payload: '{ "state": "running" }' },
  ]);
});

test('cli import - reports skipped files and refused sandboxes, exits 1; a clean import exits 0', async (t) => {
  const base = await tempDir(t, 'import');
  const from = path.join(base, 'legacy');
  const legacy = rootsUnder(from);
  await mkdir(path.join(legacy.run, 'old', 'c1'), { recursive: true });
  await mkdir(path.join(legacy.config, 'old', 'c1'), { recursive: true });
  await writeFile(path.join(legacy.run, 'old', 'state.json'), '{"state":"ready"}');
  await writeFile(path.join(legacy.run, 'old', 'c1', 'state.json'), '{"state":');
  const root = path.join(base, 'root');
  const first = vcstore(['import', '--root', root, '--from', from]);
  assert.equal(first.code, 1, first.stderr);
  assert.equal(
    first.stdout,
    'imported old: 2 events\n  skipped run/virtcontainers/sandboxes/old/c1/state.json: does not decode as State: EDECODE: unexpected end of JSON input\n',
  );
  const again = vcstore(['import', '--root', root, '--from', from, '--json']);
  assert.equal(again.code, 1);
  assert.deepEqual(JSON.parse(again.stdout), {
    sandbox: 'old',
    status: 'refused',
    reason: 'it already has a journal',
    events: 0,
    skipped: [],
    drift: [],
  });
  assert.equal(vcstore(['list', '--root', root]).code, 0, 'the imported tree is consistent');

  await rm(path.join(legacy.run, 'old', 'c1', 'state.json'));
  const inPlace = vcstore(['import', '--root', from, '--from', from]);
  assert.equal(inPlace.code, 0, inPlace.stdout);
  assert.equal(inPlace.stdout, 'imported old: 2 events\n');
  assert.match(vcstore(['list', '--root', from]).stdout, /\nold +2 .* consistent\n$/);
});

test('cli import - an import killed before its one append is whole is re-run to completion', async (t) => {
  // What a kill leaves: nothing but the lock, an empty journal (killed right after creating it), or a torn append.
  const leftovers: Array<[string, (root: string, from: string) => void | Promise<void>]> = [
    [
      'killed holding the lock',
      (root, from) => {
        const killed = vcstore(['import', '--root', root, '--from', from], {
          env: { VCSTORE_FAILPOINT: 'lock-acquired' },
        });
        assert.equal(killed.signal, 'SIGKILL', killed.stderr);
      },
    ],
    [
      'an empty journal',
      async (root) => {
        await mkdir(path.join(rootsUnder(root).journal, 'old'), { recursive: true });
        await writeFile(path.join(rootsUnder(root).journal, 'old', 'journal.log'), '');
      },
    ],
    [
      'killed between its write and its sync',
      (root, from) => {
        const killed = vcstore(['import', '--root', root, '--from', from], {
          env: { VCSTORE_FAILPOINT: 'journal-written' },
        });
        assert.equal(killed.signal, 'SIGKILL', killed.stderr);
      },
    ],
    [
      'a torn journal',
      async (root) => {
        await mkdir(path.join(rootsUnder(root).journal, 'old'), { recursive: true });
        await writeFile(
          path.join(rootsUnder(root).journal, 'old', 'journal.log'),
          Buffer.from([40, 0, 0, 0, 1, 2, 3, 4, 123]),
        );
      },
    ],
  ];
  for (const [what, leave] of leftovers) {
    const base = await tempDir(t, 'import');
    const from = path.join(base, 'legacy');
    const legacy = rootsUnder(from);
    await mkdir(path.join(legacy.run, 'old'), { recursive: true });
    await mkdir(path.join(legacy.config, 'old'), { recursive: true });
    await writeFile(path.join(legacy.run, 'old', 'state.json'), '{"state":"ready"}');
    const root = path.join(base, 'root');
    await leave(root, from);
    const again = vcstore(['import', '--root', root, '--from', from]);
    assert.equal(again.code, 0, `${what}: ${again.stdout}${again.stderr}`);
    assert.equal(again.stdout, 'imported old: 2 events\n');
    assert.equal(vcstore(['verify', '--root', root]).code, 0, what);
  }
});

import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'node:test';
import { Store } from '../../src/store/store.ts';
import { verifySandbox } from '../../src/recovery/verify.ts';
import { vcstore } from '../helpers/cli.ts';
import { events, tempStore } from '../helpers/store.ts';

const state = (s: string) => ({ type: 'State' as const, value: { state: s } });
const agent = (n: number) => ({ type: 'interface{}' as const, value: { n } });

for (const policy of ['restore', 'adopt'] as const) {
  test(`drift - a hand-written state.json is observed before the next store of another resource (${policy}, new process)`, async (t) => {
    const { store, root, roots, done } = await tempStore(t);
    try {
      await store.createAllResources({ id: 'sb' });
      await store.storeSandboxResource('sb', 'state', state('running'));
      await store.close();
      const file = path.join(roots.run, 'sb', 'state.json');
      const outside = '{"state":"stopped"}';
      await writeFile(file, outside); // as the Go runtime would

      const later = new Store({ roots, drift: policy });
      await later.storeAgentState('sb', { n: 1 });
      await later.close();

      const log = await events(roots, 'sb');
      assert.deepEqual(
        log.map((e) => e.op),
        ['create', 'store', 'observe', 'store'],
      );
      const seen = log[2]!;
      assert.equal(seen.v, 2);
      assert.deepEqual(
        [seen.path, seen.found, seen.payload, seen.parsed, seen.policy, seen.resource],
        ['run/sb/state.json', 'file', outside, true, policy, 'state'],
      );
      if (policy === 'adopt') assert.equal(await readFile(file, 'utf8'), outside);
      else assert.match(await readFile(file, 'utf8'), /^\{"state":"running"/);
      // The history agrees with the disk either way, and a second open records nothing more.
      assert.deepEqual((await verifySandbox(roots, 'sb')).drift, []);
      const again = vcstore(['apply', '--root', root, '--on-drift', policy, await opsFile(root)]);
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(
        (await events(roots, 'sb')).map((e) => e.op),
        ['create', 'store', 'observe', 'store', 'store'],
      );
    } finally {
      await done();
    }
  });

  test(`drift - a long-lived store observes an outside write before overwriting it (${policy})`, async (t) => {
    const { roots, done } = await tempStore(t);
    const store = new Store({ roots, drift: policy });
    try {
      await store.createAllResources({ id: 'sb', containers: ['c1'] });
      await store.storeContainerResource('sb', 'c1', 'state', state('ready'));
      const file = path.join(roots.run, 'sb', 'c1', 'state.json');
      await writeFile(file, Buffer.from([0x7b, 0xff, 0xfe])); // not UTF-8: kept exactly
      await store.storeContainerResource('sb', 'c1', 'state', state('running'));
      const log = await events(roots, 'sb');
      assert.deepEqual(
        log.map((e) => e.op),
        ['create', 'store', 'observe', 'store'],
      );
      assert.deepEqual(Buffer.from(log[2]!.bytes ?? '', 'base64'), Buffer.from([0x7b, 0xff, 0xfe]));
      assert.equal(log[2]!.payload, undefined);
      assert.equal(log[2]!.parsed, false);
      assert.match(await readFile(file, 'utf8'), /^\{"state":"running"/);
    } finally {
      await store.close();
      await done();
    }
  });
}

test('drift - adopt keeps bytes that are not UTF-8 exactly, and a checkpointless reopen agrees', async (t) => {
  const { roots, done } = await tempStore(t);
  try {
    const store = new Store({ roots, drift: 'adopt' });
    await store.createAllResources({ id: 'sb' });
    await store.storeAgentState('sb', { n: 1 });
    await store.close();
    const file = path.join(roots.run, 'sb', 'agent.json');
    const raw = Buffer.from([0xc3, 0x28, 0x0a]);
    await writeFile(file, raw);
    await writeFile(path.join(roots.run, 'sb', '.agent.json.vcstore-tmp-1-1'), 'x'); // a temp file is never drift
    const reopened = new Store({ roots, drift: 'adopt' });
    assert.equal(await reopened.seq('sb'), 3);
    await reopened.close();
    assert.deepEqual(await readFile(file), raw);
    const log = await events(roots, 'sb');
    assert.deepEqual(
      log.map((e) => e.op),
      ['create', 'store', 'observe'],
    );
    assert.deepEqual(
      (await verifySandbox(roots, 'sb')).drift.filter((d) => !d.path.includes('vcstore-tmp')),
      [],
    );
    // A later restore-policy store starts from the adopted bytes: nothing more to observe.
    const restoring = new Store({ roots });
    await restoring.storeAgentState('sb', agent(2).value);
    await restoring.close();
    assert.deepEqual(
      (await events(roots, 'sb')).map((e) => e.op),
      ['create', 'store', 'observe', 'store'],
    );
  } finally {
    await done();
  }
});

test('drift - a folder removed by hand is observed absent once, and verify reports drift without writing', async (t) => {
  const { store, roots, done } = await tempStore(t);
  try {
    await store.createAllResources({ id: 'sb', containers: ['c1'] });
    await store.storeContainerResource('sb', 'c1', 'state', state('ready'));
    await store.close();
    await rm(path.join(roots.run, 'sb', 'c1'), { recursive: true });
    const report = await verifySandbox(roots, 'sb');
    assert.ok(
      report.drift.some((d) => d.path === 'run/sb/c1'),
      JSON.stringify(report.drift),
    );
    assert.equal((await events(roots, 'sb')).length, 2, 'verify wrote nothing');
    const adopting = new Store({ roots, drift: 'adopt' });
    await adopting.seq('sb');
    await adopting.close();
    const log = await events(roots, 'sb');
    assert.deepEqual(
      log.slice(2).map((e) => [e.op, e.path, e.found]),
      [['observe', 'run/sb/c1', 'absent']],
    );
    assert.deepEqual((await verifySandbox(roots, 'sb')).drift, []);
  } finally {
    await done();
  }
});

async function opsFile(root: string): Promise<string> {
  const file = path.join(root, 'ops.json');
  await writeFile(file, JSON.stringify([{ method: 'storeAgentState', sandboxID: 'sb', data: { n: 2 } }]));
  return file;
}

test("drift - log --source, show and diff tell an outside write from vcstore's own", async (t) => {
  const { store, root, roots, done } = await tempStore(t);
  try {
    await store.createAllResources({ id: 'sb' });
    await store.storeSandboxResource('sb', 'state', state('running'));
    await store.close();
    await writeFile(path.join(roots.run, 'sb', 'state.json'), '{"state":"stopped"}');
    const adopting = new Store({ roots, drift: 'adopt' });
    await adopting.seq('sb');
    await adopting.close();
    const observedOnly = vcstore(['log', '--root', root, '--sandbox', 'sb', '--source', 'observed']);
    assert.match(
      observedOnly.stdout,
      /^#3 \S+ observed run\/sb\/state.json: 19 bytes; adopted \(outside write, pid unknown, seen at \S+\)\n$/,
    );
    const own = vcstore(['log', '--root', root, '--sandbox', 'sb', '--source', 'vcstore']);
    assert.deepEqual(
      own.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(' ')[0]),
      ['#1', '#2'],
    );
    const shown = vcstore(['show', '--root', root, '--sandbox', 'sb', '--resource', 'state', '--json']);
    const json = JSON.parse(shown.stdout);
    assert.equal(json.content, '{"state":"stopped"}');
    assert.deepEqual([json.writtenBy.seq, json.writtenBy.source], [3, 'observed']);
    const plain = vcstore(['show', '--root', root, '--sandbox', 'sb', '--resource', 'state', '--at', '2']);
    assert.equal(plain.stderr, '', 'vcstore wrote it then');
    const diff = vcstore(['diff', '--root', root, '--sandbox', 'sb', '--from', '1', '--to', '3']);
    assert.match(diff.stdout, /^\+ run\/sb\/state.json \(outside write, pid unknown, seen at \S+: event 3\)\n/);
    const ownDiff = vcstore(['diff', '--root', root, '--sandbox', 'sb', '--from', '1', '--to', '2']);
    assert.doesNotMatch(ownDiff.stdout, /outside write/);
    const diffJson = vcstore(['diff', '--root', root, '--sandbox', 'sb', '--from', '2', '--to', '3', '--json']);
    assert.deepEqual(JSON.parse(diffJson.stdout.trim().split('\n')[0]!).writtenBy.seq, 3);
  } finally {
    await done();
  }
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { history } from '../../src/audit/history.ts';
import type { EventFilter } from '../../src/audit/filter.ts';
import { parseTime } from '../../src/audit/time.ts';
import { journalFile } from '../../src/layout/roots.ts';
import { Store } from '../../src/store/store.ts';
import { sharedAuditScenario } from '../helpers/audit-scenario.ts';
import { CLI, vcstore } from '../helpers/cli.ts';
import { frames } from '../helpers/corrupt.ts';
import { waitFor } from '../helpers/wait.ts';

const s = sharedAuditScenario();

async function seqs(filter: EventFilter): Promise<number[]> {
  const out: number[] = [];
  for await (const event of history(journalFile(s.roots, 'sb'), filter)) out.push(event.seq);
  return out;
}

test('audit history - filters by container, resource, op and sequence range', async () => {
  // c2: both creates, its process, the reboot that wiped its run folder, its delete.
  assert.deepEqual(await seqs({ container: 'c2' }), [1, 6, 7, 8, 11]);
  // state: its stores, the reboot, and the delete whose run folder held state.json.
  assert.deepEqual(await seqs({ resource: 'state' }), [3, 5, 7, 9, 11, 12]);
  assert.deepEqual(await seqs({ resource: 'config' }), [2, 4, 10, 11]);
  assert.deepEqual(await seqs({ op: 'store', container: 'c1' }), [4, 5, 12]);
  assert.deepEqual(await seqs({ op: 'reboot' }), [7]);
  assert.deepEqual(await seqs({ fromSeq: 3, toSeq: 6 }), [3, 4, 5, 6]);
  assert.deepEqual(await seqs({ fromSeq: 13 }), []);
});

test('audit history - time bounds are inclusive and compare as journal times', async () => {
  const t = (seq: number) => s.sb[seq - 1]!.time;
  const byTime = (lo: string, hi: string) => s.sb.filter((e) => e.time >= lo && e.time <= hi).map((e) => e.seq);
  assert.deepEqual(await seqs({ since: t(9) }), byTime(t(9), '9999'));
  assert.deepEqual(await seqs({ since: t(3), until: t(5) }), byTime(t(3), t(5)));
  assert.ok((await seqs({ since: t(3), until: t(5) })).includes(5), 'the upper bound is inclusive');
  const day = t(1).slice(0, 10);
  assert.deepEqual(await seqs({ until: parseTime(day, 'end') }), byTime('', `${day}T23:59:59.999Z`));
  assert.deepEqual(await seqs({ until: parseTime(day, 'start') }), byTime('', `${day}T00:00:00.000Z`));
});

test('audit time - dates, timestamps and zones become journal times; nonsense is a usage error', () => {
  assert.equal(parseTime('2026-11-29'), '2026-11-29T00:00:00.000Z');
  assert.equal(parseTime('2026-11-29', 'end'), '2026-11-29T23:59:59.999Z');
  assert.equal(parseTime('2026-11-29T10:00'), '2026-11-29T10:00:00.000Z');
  assert.equal(parseTime('2026-11-29T10:00:00.5Z'), '2026-11-29T10:00:00.500Z');
  assert.equal(parseTime('2026-11-29T12:00:00+02:00'), '2026-11-29T10:00:00.000Z');
  for (const bad of ['2026-02-30', '2026-13-01T00:00:00Z', 'yesterday', '2026-11-29 10:00', '']) {
    assert.throws(() => parseTime(bad), { code: 'EUSAGE' }, bad);
  }
});

test('cli log - filters print exactly the matching events, human and JSON', async () => {
  const root = s.root;
  const human = vcstore(['log', '--root', root, '--sandbox', 'sb', '--container', 'c2', '--op', 'store']);
  assert.equal(human.code, 0, human.stderr);
  const e6 = s.sb[5]!;
  assert.equal(human.stdout, `#6 ${e6.time} store process of container c2 (57 bytes) pid ${e6.pid} boot 00000000\n`);
  const json = vcstore([
    'log',
    '--root',
    root,
    '--sandbox',
    'sb',
    '--resource',
    'stateFileType',
    '--from-seq',
    '5',
    '--to-seq',
    '9',
    '--json',
  ]);
  assert.equal(json.code, 0, json.stderr);
  // Each line is the record body as the journal stores it, read here with the tests' own frame reader.
  const bodies = (await frames(journalFile(s.roots, 'sb'))).map((f) => f.body.toString('utf8'));
  assert.equal(json.stdout, [5, 7, 9].map((n) => `${bodies[n - 1]}\n`).join(''));
  const since = vcstore([
    'log',
    '--root',
    root,
    '--sandbox',
    'sb',
    '--since',
    s.sb[11]!.time,
    '--until',
    s.sb[11]!.time,
  ]);
  const e12 = s.sb[11]!;
  assert.equal(
    since.stdout,
    `#12 ${e12.time} store state of container c1 (70 bytes) pid ${e12.pid} boot ${e12.boot.slice(0, 8)}\n`,
  );
});

test('cli log - bad filters are usage errors (exit 2); a missing sandbox is exit 3', () => {
  for (const args of [['--op', 'stor'], ['--resource', 'nope'], ['--since', '2026-02-30'], ['--from-seq', '-1'], []]) {
    const out = vcstore(['log', '--root', s.root, ...(args.length ? ['--sandbox', 'sb', ...args] : [])]);
    assert.equal(out.code, 2, `${args.join(' ')}: ${out.stderr}`);
    assert.equal(out.stdout, '');
  }
  assert.equal(vcstore(['log', '--root', s.root, '--sandbox', 'nobody']).code, 3);
});

test('cli log --follow - prints appended events as they come and exits 0 on SIGINT', async () => {
  const child = spawn(
    process.execPath,
    [...CLI, 'log', '--root', s.root, '--sandbox', 'sb', '--follow', '--from-seq', '12'],
    {
      env: { ...process.env, VCSTORE_LOG: '' },
    },
  );
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const lines = (n: number) =>
    waitFor(() => out.split('\n').length > n, { what: `${n} line(s) from log --follow`, detail: () => out });
  try {
    await lines(1);
    assert.match(out, /^#12 /);
    const store = new Store({ roots: s.roots });
    await store.deleteContainerResources('sb', 'c1', ['state']);
    await store.close();
    await lines(2);
    assert.match(out.split('\n')[1]!, /^#13 \S+ delete state of container c1 /);
    child.kill('SIGINT');
    assert.equal(await exited, 0);
    assert.equal(out.split('\n').length, 3, out);
  } finally {
    child.kill('SIGKILL');
  }
});

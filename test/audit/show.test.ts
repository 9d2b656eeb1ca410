import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { resourceAt } from '../../src/audit/show.ts';
import { journalFile } from '../../src/layout/roots.ts';
import { sharedAuditScenario } from '../helpers/audit-scenario.ts';
import { vcstore } from '../helpers/cli.ts';

const s = sharedAuditScenario();

const payload = (seq: number) => s.sb[seq - 1]!.payload!;

test('audit show - a resource as it was after any event, absent where it did not exist', async () => {
  const file = journalFile(s.roots, 'sb');
  const state = (seq: number) => resourceAt(file, { sandbox: 'sb', resource: 'state' }, { seq }).then((r) => r.content);
  assert.deepEqual(await Promise.all([0, 2, 3, 6, 7, 8, 9, 12].map(state)), [
    undefined,
    undefined,
    payload(3),
    payload(3),
    undefined,
    undefined,
    payload(9),
    payload(9),
  ]);
  const c1 = await resourceAt(file, { sandbox: 'sb', container: 'c1', resource: 'state' }, { time: s.sb[4]!.time });
  assert.deepEqual(c1, { seq: 5, time: s.sb[4]!.time, path: 'run/sb/c1/state.json', content: payload(5) });
  await assert.rejects(state(13), { code: 'EUSAGE', message: /there is no event 13; the journal ends at 12/ });
});

test('cli show - prints the exact bytes the file held, or a JSON object with --json', () => {
  const args = ['show', '--root', s.root, '--sandbox', 'sb', '--resource', 'config'];
  const at2 = vcstore([...args, '--at', '2']);
  assert.equal(at2.code, 0, at2.stderr);
  assert.equal(at2.stdout, payload(2));
  assert.match(at2.stdout, /"Annotations":\{"team":"a"\}\}$/);
  const now = vcstore([...args, '--json']);
  assert.equal(now.code, 0, now.stderr);
  const file = path.join(s.roots.config, 'sb', 'config.json');
  assert.equal(
    now.stdout,
    `${JSON.stringify({ sandbox: 'sb', seq: 12, time: s.sb[11]!.time, path: file, content: payload(10) })}\n`,
  );
  const byTime = vcstore([...args, '--time', s.sb[8]!.time]);
  assert.equal(byTime.stdout, payload(2));
});

test('cli show - a resource missing at that point exits 1 with a clear message', () => {
  const out = vcstore([
    'show',
    '--root',
    s.root,
    '--sandbox',
    'sb',
    '--container',
    'c2',
    '--resource',
    'process',
    '--at',
    '7',
  ]);
  assert.equal(out.code, 1);
  assert.equal(out.stdout, '');
  assert.equal(
    out.stderr,
    `vcstore: ${path.join(s.roots.run, 'sb', 'c2', 'process.json')} did not exist after event 7\n`,
  );
  const json = vcstore(['show', '--root', s.root, '--sandbox', 'sb', '--resource', 'state', '--at', '0', '--json']);
  assert.equal(json.code, 1);
  assert.equal(
    json.stdout,
    `${JSON.stringify({ sandbox: 'sb', seq: 0, time: null, path: path.join(s.roots.run, 'sb', 'state.json'), content: null })}\n`,
  );
  const both = vcstore([
    'show',
    '--root',
    s.root,
    '--sandbox',
    'sb',
    '--resource',
    'state',
    '--at',
    '1',
    '--time',
    s.sb[0]!.time,
  ]);
  assert.equal(both.code, 2);
  assert.equal(vcstore(['show', '--root', s.root, '--sandbox', 'sb', '--resource', 'state', '--at', '99']).code, 2);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffPoints } from '../../src/audit/diff.ts';
import { diffJson, jsonText } from '../../src/audit/json-diff.ts';
import { journalFile } from '../../src/layout/roots.ts';
import { parseJson } from '../../src/legacy/json-parse.ts';
import { sharedAuditScenario } from '../helpers/audit-scenario.ts';
import { jsonLines, vcstore } from '../helpers/cli.ts';

const s = sharedAuditScenario();

const value = (seq: number) => JSON.parse(s.sb[seq - 1]!.payload!);

test('audit diff - field paths of what changed, was added or removed', () => {
  const from = { A: { team: 'a', gone: 1 }, L: [1, { x: 1 }], S: 's' };
  const to = { A: { team: 'b' }, L: [1, { x: 2 }, 3], S: 's', N: null };
  assert.deepEqual(diffJson(from, to), [
    { field: 'A.team', change: 'changed', from: 'a', to: 'b' },
    { field: 'A.gone', change: 'removed', from: 1 },
    { field: 'L[1].x', change: 'changed', from: 1, to: 2 },
    { field: 'L[2]', change: 'added', to: 3 },
    { field: 'N', change: 'added', to: null },
  ]);
  assert.deepEqual(diffJson(null, { a: 1 }), [{ field: '', change: 'changed', from: null, to: { a: 1 } }]);
  // Integers past 2^53 keep every digit, in the comparison and in the output.
  const big = diffJson(parseJson('{"n":9007199254740993}'), parseJson('{"n":9007199254740992}'));
  assert.equal(jsonText(big), '[{"field":"n","change":"changed","from":9007199254740993,"to":9007199254740992}]');
});

test('audit diff - a reboot removes the run files; a recreate brings back only the lock', async () => {
  const changes = await diffPoints(journalFile(s.roots, 'sb'), 6, 8);
  assert.deepEqual(changes, [
    { change: 'removed', path: 'run/sb/c1/state.json', resource: 'state', container: 'c1', from: value(5) },
    { change: 'removed', path: 'run/sb/c2/process.json', resource: 'process', container: 'c2', from: value(6) },
    { change: 'removed', path: 'run/sb/state.json', resource: 'state', from: value(3) },
  ]);
  assert.deepEqual(await diffPoints(journalFile(s.roots, 'sb'), 0, 2), [
    { change: 'added', path: 'config/sb/config.json', resource: 'config', to: value(2) },
    { change: 'added', path: 'run/sb/lock', resource: 'lock', to: '' },
  ]);
});

test('cli diff - one block per file, one line per field', () => {
  const out = vcstore(['diff', '--root', s.root, '--sandbox', 'sb', '--from', '2', '--to', '12']);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(
    out.stdout,
    [
      '+ config/sb/c1/config.json',
      '~ config/sb/config.json',
      '    ~ Annotations.team: "a" -> "b"',
      '    + Annotations.env: "prod"',
      '+ run/sb/c1/state.json',
      '+ run/sb/state.json',
      '',
    ].join('\n'),
  );
});

test('cli diff --json - one JSON object per file', () => {
  const out = vcstore(['diff', '--root', s.root, '--sandbox', 'sb', '--from', '9', '--to', '12', '--json']);
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(jsonLines(out.stdout), [
    {
      change: 'changed',
      path: 'config/sb/config.json',
      resource: 'config',
      fields: [
        { field: 'Annotations.team', change: 'changed', from: 'a', to: 'b' },
        { field: 'Annotations.env', change: 'added', to: 'prod' },
      ],
    },
    { change: 'added', path: 'run/sb/c1/state.json', resource: 'state', container: 'c1', to: value(12) },
  ]);
  assert.equal(vcstore(['diff', '--root', s.root, '--sandbox', 'sb', '--from', '0', '--to', '13']).code, 2);
});

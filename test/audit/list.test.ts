import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { listSandboxes } from '../../src/audit/list.ts';
import { flipBit } from '../helpers/corrupt.ts';
import { journalFile } from '../../src/layout/roots.ts';
import { sharedAuditScenario, type AuditScenario } from '../helpers/audit-scenario.ts';
import { jsonLines, vcstore } from '../helpers/cli.ts';

const s = sharedAuditScenario();

const first = (events: AuditScenario['sb']) => events[0]!.time;
const last = (events: AuditScenario['sb']) => events.at(-1)!.time;

test('cli list - every sandbox with a journal, the deleted one marked, in a table', () => {
  const out = vcstore(['list', '--root', s.root]);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(
    out.stdout,
    [
      'SANDBOX  EVENTS  FIRST                     LAST                      TREE',
      `gone     3       ${first(s.gone)}  ${last(s.gone)}  deleted, consistent`,
      `sb       12      ${first(s.sb)}  ${last(s.sb)}  consistent`,
      '',
    ].join('\n'),
  );
});

test('cli list --json - one object per sandbox', () => {
  const out = vcstore(['list', '--root', s.root, '--json']);
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(jsonLines(out.stdout), [
    {
      sandbox: 'gone',
      events: 3,
      first: first(s.gone),
      last: last(s.gone),
      deleted: true,
      consistent: true,
      drift: [],
    },
    { sandbox: 'sb', events: 12, first: first(s.sb), last: last(s.sb), deleted: false, consistent: true, drift: [] },
  ]);
});

test('audit list - a tree that disagrees with its journal is drift, and the CLI exits 1', async () => {
  await writeFile(path.join(s.roots.run, 'sb', 'state.json'), '{"state":"stopped"}');
  await mkdir(path.join(s.roots.config, 'gone'), { recursive: true });
  const rows = [];
  for await (const row of listSandboxes(s.roots)) rows.push(row);
  assert.deepEqual(
    rows.map((r) => [r.sandbox, r.consistent, r.drift]),
    [
      ['gone', false, [{ path: 'config/gone', problem: 'extra' }]],
      ['sb', false, [{ path: 'run/sb/state.json', problem: 'changed' }]],
    ],
  );
  const out = vcstore(['list', '--root', s.root]);
  assert.equal(out.code, 1);
  assert.match(
    out.stdout,
    /\ngone .* deleted, drift: config\/gone extra\nsb .* drift: run\/sb\/state\.json changed\n$/,
  );
});

test('cli list - a corrupt journal is reported on its line and exits 3; the others are still listed', async () => {
  await flipBit(journalFile(s.roots, 'gone'), 30);
  const out = vcstore(['list', '--root', s.root]);
  assert.equal(out.code, 3);
  assert.match(
    out.stdout,
    /\ngone +0 +- +- +unreadable: ECORRUPT: .*journal\.log: corrupt record at offset 0: .*\nsb +12 /,
  );
});

import assert from 'node:assert/strict';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { replayToDir } from '../../src/audit/materialize.ts';
import { runOp } from '../../src/cli/ops.ts';
import { StoreError } from '../../src/errors.ts';
import { journalFile, rootsUnder } from '../../src/layout/roots.ts';
import { Store } from '../../src/store/store.ts';
import { DEVIATIONS } from '../conformance/deviations.ts';
import { sharedAuditScenario } from '../helpers/audit-scenario.ts';
import { vcstore } from '../helpers/cli.ts';
import { modeHere, scenarios, type FixtureOp, type Scenario } from '../helpers/fixtures.ts';
import { snapshot, type Snapshot } from '../helpers/tree.ts';
import { tempDir } from '../helpers/temp.ts';

const CONFIG = 'var/lib/virtcontainers/sandboxes';
const RUN = 'run/virtcontainers/sandboxes';

/** Scenarios the Go code and vcstore run alike, written by the store alone. */
const plain = (s: Scenario) =>
  !s.ops.some((op) => op.method.startsWith('_')) && ![...DEVIATIONS.keys()].some((k) => k.startsWith(`${s.name}#`));

const inSandbox = (sandbox: string) => (rel: string) =>
  [CONFIG, RUN].some((root) => rel === `${root}/${sandbox}` || rel.startsWith(`${root}/${sandbox}/`));

const only = (tree: Snapshot, keep: (rel: string) => boolean): Snapshot =>
  new Map([...tree].filter(([rel]) => keep(rel)));

/** The sandbox an op wrote to, when it wrote an event: a store, create or delete that did not fail. */
function writtenSandbox(op: FixtureOp): string | undefined {
  if (op.error !== null || !/^(store|create|delete)/.test(op.method)) return undefined;
  return (op.data as { sandboxID?: string } | undefined)?.sandboxID ?? op.sandboxID;
}

/** The tree after each op, from the fixture's effects alone. */
function* treesByEffects(scenario: Scenario): Generator<[FixtureOp, Snapshot]> {
  const tree: Snapshot = new Map();
  for (const op of scenario.ops) {
    for (const e of op.effects) {
      if (e.change !== 'removed') {
        tree.set(
          e.path,
          e.kind === 'file' ? { kind: 'file', mode: e.mode!, content: e.content! } : { kind: 'dir', mode: e.mode! },
        );
        continue;
      }
      for (const p of tree.keys()) if (p === e.path || p.startsWith(`${e.path}/`)) tree.delete(p);
    }
    yield [op, new Map(tree)];
  }
}

async function runScenario(scenario: Scenario, root: string): Promise<void> {
  for (const dir of ['var', 'var/lib', 'run']) {
    await mkdir(path.join(root, dir), { recursive: true });
    await chmod(path.join(root, dir), 0o755);
  }
  const store = new Store({ roots: rootsUnder(root) });
  try {
    for (const op of scenario.ops)
      await runOp(store, root, op).catch((err) => assert.ok(err instanceof StoreError, err));
  } finally {
    await store.close();
  }
}

test('audit replay - the tree at every event of the legacy fixtures is the tree their effects give', async (t) => {
  const chosen = scenarios().filter(plain);
  assert.deepEqual(
    chosen.map((s) => s.name.slice(0, 2)),
    ['01', '03', '04', '05', '06', '07', '08', '09', '17'],
  );
  for (const scenario of chosen) {
    const base = await tempDir(t, 'replay');
    await runScenario(scenario, path.join(base, 'root'));
    const roots = rootsUnder(path.join(base, 'root'));
    const seqs = new Map<string, number>();
    let replays = 0;
    for (const [op, expected] of treesByEffects(scenario)) {
      const sandbox = writtenSandbox(op);
      if (sandbox === undefined) continue;
      const seq = (seqs.get(sandbox) ?? 0) + 1;
      seqs.set(sandbox, seq);
      const out = path.join(base, `out-${sandbox}-${seq}`);
      await replayToDir(journalFile(roots, sandbox), { seq }, out);
      const where = `${scenario.name} ${sandbox} at event ${seq} (${op.method})`;
      assert.deepEqual(only(await snapshot(out), inSandbox(sandbox)), only(expected, inSandbox(sandbox)), where);
      replays++;
    }
    assert.ok(replays > 0, scenario.name);
  }
});

const s = sharedAuditScenario();

test('cli replay - writes the tree as it was after the reboot: config survives, run is gone', async () => {
  const out = path.join(s.root, 'after-reboot');
  const run = vcstore(['replay', '--root', s.root, '--sandbox', 'sb', '--at', '7', '--out', out]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, `replayed sb as of event 7 (${s.sb[6]!.time}) into ${out}: 3 folders, 2 files\n`);
  const tree = await snapshot(out);
  assert.deepEqual(
    [...tree.keys()].sort(),
    [
      'run',
      'run/virtcontainers',
      'run/virtcontainers/sandboxes',
      'var',
      'var/lib',
      'var/lib/virtcontainers',
      'var/lib/virtcontainers/sandboxes',
      `${CONFIG}/sb`,
      `${CONFIG}/sb/c1`,
      `${CONFIG}/sb/c1/config.json`,
      `${CONFIG}/sb/c2`,
      `${CONFIG}/sb/config.json`,
    ].sort(),
  );
  for (const entry of tree.values()) assert.equal(entry.mode, modeHere(entry.kind === 'dir' ? '0750' : '0644'));
  assert.equal(tree.get(`${CONFIG}/sb/config.json`)?.content, s.sb[1]!.payload);
});

test('cli replay - by time, in JSON; a non-empty output folder is refused with exit 2', async () => {
  const out = path.join(s.root, 'by-time');
  const run = vcstore(['replay', '--root', s.root, '--sandbox', 'sb', '--time', s.sb[4]!.time, '--out', out, '--json']);
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout);
  assert.deepEqual(summary, { sandbox: 'sb', seq: summary.seq, time: summary.time, out, dirs: 6, files: 5 });
  assert.ok(summary.seq >= 5 && summary.seq <= 6 && summary.time === s.sb[4]!.time, run.stdout); // 6 may share 5's millisecond
  const busy = path.join(s.root, 'busy');
  await mkdir(busy);
  await writeFile(path.join(busy, 'x'), '');
  const refused = vcstore(['replay', '--root', s.root, '--sandbox', 'sb', '--at', '3', '--out', busy]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /EUSAGE: .*busy is not empty/);
  assert.equal(
    vcstore(['replay', '--root', s.root, '--sandbox', 'sb', '--out', path.join(s.root, 'n')]).code,
    2,
    'needs --at or --time',
  );
});

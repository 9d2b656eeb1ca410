import assert from 'node:assert/strict';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { runOp } from '../../src/cli/ops.ts';
import { StoreError, type ErrorCode } from '../../src/errors.ts';
import { rootsUnder } from '../../src/layout/roots.ts';
import { Store } from '../../src/store/store.ts';
import { scenarios, type FixtureOp, type Scenario } from '../helpers/fixtures.ts';
import { effectsBetween, snapshot, type Snapshot } from '../helpers/tree.ts';
import { DEVIATIONS, runDeviation, type Deviation } from './deviations.ts';
import { tempDir } from '../helpers/temp.ts';

/** What each Go error source promises: exact text for the legacy's own errors, the same kind otherwise. */
const CODES_BY_SOURCE: Record<string, ErrorCode[]> = {
  os: ['ENOENT', 'ENOTDIR', 'EISDIR'],
  'encoding/json': ['EDECODE', 'EINVALIDTARGET'],
  'time (via encoding/json)': ['EDECODE'],
};
const EXACT_SOURCES = new Set(['errors.go', 'filesystem.go']);

interface Outcome {
  error: StoreError | null;
  result: string | null;
}

async function scenarioRoot(t: TestContext): Promise<{ root: string; journal: string }> {
  const base = await tempDir(t, 'conformance');
  const root = path.join(base, 'root');
  for (const dir of ['var', 'var/lib', 'run']) {
    await mkdir(path.join(root, dir), { recursive: true });
    await chmod(path.join(root, dir), 0o755);
  }
  return { root, journal: path.join(base, 'journal') };
}

async function run(store: Store, root: string, op: FixtureOp): Promise<Outcome> {
  try {
    return { error: null, result: await runOp(store, root, op) };
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
    return { error: err, result: null };
  }
}

function checkLikeGo(op: FixtureOp, got: Outcome, root: string, effects: unknown, where: string): void {
  const expectedError = op.error?.replaceAll('$ROOT', root) ?? null;
  if (expectedError === null) {
    assert.equal(got.error, null, `${where}: unexpected error ${got.error?.code} ${got.error?.message}`);
  } else {
    assert.ok(got.error, `${where}: expected error ${JSON.stringify(expectedError)}, got none`);
    const source = op.errorSource ?? '';
    if (EXACT_SOURCES.has(source) || source === 'os') assert.equal(got.error.message, expectedError, where);
    else
      assert.ok(CODES_BY_SOURCE[source]?.includes(got.error.code), `${where}: ${got.error.code} for a ${source} error`);
  }
  if (op.rawResult !== undefined && op.error === null) {
    assert.equal(got.result, op.rawResult.replaceAll('$ROOT', root), `${where}: result bytes`);
  }
  assert.deepEqual(effects, op.effects, `${where}: effects on the tree`);
}

function checkDeviation(
  deviation: Deviation,
  op: FixtureOp,
  got: Outcome,
  effects: unknown[],
  root: string,
  where: string,
): void {
  where = `${where} (deviation: ${deviation.reason})`;
  if (deviation.code === null) assert.equal(got.error, null, `${where}: ${got.error?.message}`);
  else
    assert.equal(
      got.error?.code,
      deviation.code,
      `${where}: expected ${deviation.code}, got ${got.error?.code} ${got.error?.message}`,
    );
  const message = deviation.message === 'go' ? op.error?.replaceAll('$ROOT', root) : deviation.message;
  if (message !== undefined) assert.equal(got.error?.message, message, where);
  if (deviation.effects === 'none') assert.deepEqual(effects, [], `${where}: a refused op must write nothing`);
}

/** The fixture's final tree, from modes.json (the authority for folders and modes) and tree/ (the bytes). */
async function fixtureTree(scenario: Scenario): Promise<Snapshot> {
  const tree: Snapshot = new Map();
  for (const entry of scenario.modes.entries) {
    if (entry.type === 'dir') tree.set(entry.path, { kind: 'dir', mode: entry.mode });
    else {
      const content = await readFile(path.join(scenario.dir, 'tree', entry.path), 'utf8');
      tree.set(entry.path, { kind: 'file', mode: entry.mode, content });
    }
  }
  return tree;
}

for (const scenario of scenarios()) {
  test(`conformance - ${scenario.name} matches the legacy Go tree op by op`, async (t) => {
    const { root, journal } = await scenarioRoot(t);
    const store = new Store({ roots: { ...rootsUnder(root), journal } });
    let deviated = false;
    try {
      for (const [i, op] of scenario.ops.entries()) {
        const where = `${scenario.name} op ${i} ${op.method}(${op.sandboxID ?? ''}${op.containerID !== undefined ? `, ${op.containerID}` : ''})`;
        const before = await snapshot(root);
        const deviation = DEVIATIONS.get(`${scenario.name}#${i}`);
        const got = deviation?.run ? await runDeviation(deviation, store) : await run(store, root, op);
        const effects = effectsBetween(before, await snapshot(root));
        if (deviation) {
          deviated = true;
          checkDeviation(deviation, op, got, effects, root, where);
        } else {
          checkLikeGo(op, got, root, effects, where);
        }
      }
      if (!deviated)
        assert.deepEqual(await snapshot(root), await fixtureTree(scenario), `${scenario.name}: final tree`);
    } finally {
      await store.close();
    }
  });
}

test('conformance - every fixture scenario is covered', () => {
  assert.equal(scenarios().length, 18);
  const ops = scenarios().reduce((n, s) => n + s.ops.length, 0);
  assert.ok(ops > 400, `only ${ops} ops`);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FAILPOINTS } from '../../src/failpoints.ts';
import { checkAfterCrash, runWorker } from '../helpers/crash.ts';
import { tempDir } from '../helpers/temp.ts';

const SANDBOXES = ['sb-a', 'sb-b'];

for (const name of FAILPOINTS) {
  test(`crash - killed at fail point ${name}: acknowledged events survive and the tree equals the journal`, async (t) => {
    const root = await tempDir(t, 'crash');
    // Make the sandboxes first, so the mixed workload has something to change.
    const setup = await runWorker(root, { mode: 'mixed', seed: 7, count: 30, sandboxes: SANDBOXES });
    assert.equal(setup.code, 0, setup.stderr);
    const run = await runWorker(
      root,
      { mode: 'mixed', seed: 11, count: 200, sandboxes: SANDBOXES },
      { env: { VCSTORE_FAILPOINT: `${name}@3` } },
    );
    assert.equal(run.signal, 'SIGKILL', `the worker was not killed at ${name}: ${run.stderr}`);
    await checkAfterCrash(root, [...setup.acks, ...run.acks], name);
  });
}

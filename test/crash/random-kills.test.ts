import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkAfterCrash, runWorker, type Ack } from '../helpers/crash.ts';
import { tempDir } from '../helpers/temp.ts';

// A few in `npm test`; VCSTORE_CRASH_RUNS=2000 for a long soak.
const RUNS = Number(process.env.VCSTORE_CRASH_RUNS) || 4;

test(`crash - ${RUNS} SIGKILLs at random times during a random workload lose nothing acknowledged`, async (t) => {
  const root = await tempDir(t, 'kill');
  const acks: Ack[] = [];
  for (let run = 0; run < RUNS; run++) {
    const killAfterMs = 400 + Math.floor(Math.random() * 900);
    const result = await runWorker(
      root,
      { mode: 'mixed', seed: 1000 + run, count: 100_000, sandboxes: ['sb-x', 'sb-y', 'sb-z'] },
      { killAfterMs },
    );
    assert.equal(result.signal, 'SIGKILL', `run ${run} ended on its own: ${result.stderr}`);
    acks.push(...result.acks);
    await checkAfterCrash(root, acks, `run ${run} killed after ${killAfterMs} ms`);
  }
});

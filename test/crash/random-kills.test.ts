import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { checkAfterCrash, runWorker, type Ack } from '../helpers/crash.ts';

// A few in `npm test`; VCSTORE_CRASH_RUNS=2000 for a long soak.
const RUNS = Number(process.env.VCSTORE_CRASH_RUNS) || 4;

test(`crash - ${RUNS} SIGKILLs at random times during a random workload lose nothing acknowledged`, async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'vcstore-kill-'));
  try {
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
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkAfterCrash, runWorker, type Ack } from '../helpers/crash.ts';
import { seeded } from '../helpers/seeded.ts';
import { tempDir } from '../helpers/temp.ts';

// A few in `npm test`; VCSTORE_CRASH_RUNS=2000 for a long soak. VCSTORE_CRASH_SEED replays a failed run.
const RUNS = Number(process.env.VCSTORE_CRASH_RUNS) || 4;
const SEED = Number(process.env.VCSTORE_CRASH_SEED) || 1;

test(`crash - ${RUNS} SIGKILLs at seeded points of a random workload lose nothing acknowledged (seed ${SEED})`, async (t) => {
  const root = await tempDir(t, 'kill');
  const random = seeded(SEED);
  const acks: Ack[] = [];
  for (let run = 0; run < RUNS; run++) {
    // Killed after its n-th acknowledgement, and a little later: inside whatever call follows it, however
    // slowly this machine started the worker. A time from the start would often kill it before its first store.
    const killAt = { acks: 1 + random(300), delayMs: random(4) };
    const where = `run ${run} (seed ${SEED}) killed ${killAt.delayMs} ms after ack ${killAt.acks}`;
    const result = await runWorker(
      root,
      { mode: 'mixed', seed: random(2 ** 31), count: 100_000, sandboxes: ['sb-x', 'sb-y', 'sb-z'] },
      { killAt },
    );
    assert.equal(result.signal, 'SIGKILL', `${where}: ended on its own: ${result.stderr}`);
    assert.ok(result.acks.length >= killAt.acks, `${where}: killed before it had worked (${result.acks.length} acks)`);
    t.diagnostic(`${where}: ${result.acks.length} acknowledged`);
    acks.push(...result.acks);
    await checkAfterCrash(root, acks, where);
  }
});

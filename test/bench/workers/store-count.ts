/**
 * One writer in a process of its own, for the counting rows: it creates a
 * sandbox, warms up, then waits for commands on stdin, one per line:
 *   trace    N stores between two marker calls (a stat of a path that does
 *            not exist), for a strace attached by the parent to count
 *   profile  N stores timed (wall, CPU), then N more under the V8 profiler,
 *            the profile written to FILE
 * and answers each with a line on stdout. Usage:
 *   node --import tsx store-count.ts PREFIX N PROFILE_FILE
 */
import { readFileSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { rootsUnder } from '../../../src/layout/roots.ts';
import { Store } from '../../../src/store/store.ts';
import { cpuProfile } from '../cpu-profile.ts';
import { MARK } from '../strace.ts';
import { stateData } from '../workload.ts';

const [prefix, count, profileFile] = process.argv.slice(2);
if (!prefix || !count || !profileFile) throw new Error('usage: store-count.ts PREFIX N PROFILE_FILE');
const n = Number(count);
const store = new Store({ roots: rootsUnder(prefix) });
await store.createAllResources({ id: 'sb' });
let i = 0;
const stores = async (k: number) => {
  for (let j = 0; j < k; j++) await store.storeSandboxResource('sb', 'state', stateData(i++));
};
await stores(100); // JIT, page cache, the files' first versions

/** ns the main thread has spent on a CPU (schedstat's first field): unlike a profile's samples, not counting time it waited for one. */
const onCpu = () => Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);

const say = (line: string) => process.stdout.write(`${line}\n`);
say(`ready ${process.pid}`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'trace') {
    statSync(MARK.begin, { throwIfNoEntry: false });
    await stores(n);
    statSync(MARK.end, { throwIfNoEntry: false });
    say('traced');
  } else if (line === 'profile') {
    // First without the profiler, whose sampling costs the main thread CPU time too: the times to split.
    const start = process.hrtime.bigint();
    const main0 = onCpu();
    const all0 = process.cpuUsage();
    await stores(n);
    const all = process.cpuUsage(all0);
    const main = onCpu() - main0;
    const wall = Number(process.hrtime.bigint() - start) / 1e3;
    // Then the same number under the profiler: the shares to split them by.
    await cpuProfile(profileFile, () => stores(n));
    // µs: wall time, the main thread's time on a CPU, every thread's CPU time (user + system)
    say(`profiled ${wall} ${main / 1e3} ${all.user + all.system}`);
  } else break;
}
await store.close();

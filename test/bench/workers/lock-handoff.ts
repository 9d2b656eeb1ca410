/**
 * Several processes storing on one sandbox through the library, each taking
 * the writer lock in turn, for the hand-off rows: the parent traces this
 * whole process tree with strace and reads, from the trace, when a process
 * unlinked the lock, when the next one's symlink(2) took it and when that
 * one's first journal write came. Usage:
 *   node --import tsx lock-handoff.ts PREFIX STORES_PER_PROCESS PROCESSES
 * The processes are started and each stores once before the measured
 * stores begin (after the unlink of MARK_GO), so start-up is not in the
 * hand-offs.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { unlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { rootsUnder } from '../../../src/layout/roots.ts';
import { Store } from '../../../src/store/store.ts';
import { HANDOFF_SANDBOX, MARK } from '../strace.ts';
import { stateData } from '../workload.ts';

const SANDBOX = HANDOFF_SANDBOX;

const [prefix, perProcess, processes, role] = process.argv.slice(2);
if (!prefix || !perProcess || !processes) throw new Error('usage: lock-handoff.ts PREFIX STORES PROCESSES');

if (role === 'child') {
  const store = new Store({ roots: rootsUnder(prefix) });
  // One store first, so that the measured turns do not include opening the sandbox or compiling the store's code.
  await store.storeSandboxResource(SANDBOX, 'state', stateData(-1));
  process.once('message', () => {
    void (async () => {
      for (let i = 0; i < Number(perProcess); i++) await store.storeSandboxResource(SANDBOX, 'state', stateData(i));
      await store.close();
      process.send!('done', () => process.disconnect());
    })();
  });
  process.send!('ready');
} else {
  const store = new Store({ roots: rootsUnder(prefix) });
  await store.createAllResources({ id: SANDBOX });
  await store.close();
  const self = fileURLToPath(import.meta.url);
  const children: ChildProcess[] = Array.from({ length: Number(processes) }, () =>
    fork(self, [prefix, perProcess, processes, 'child'], { execArgv: ['--import', 'tsx'] }),
  );
  const exited = children.map((c) => once(c, 'exit'));
  await Promise.all(children.map((c) => once(c, 'message')));
  try {
    unlinkSync(MARK.go);
  } catch {
    // it never exists: the call is the mark
  }
  const done = children.map((c) => once(c, 'message'));
  for (const c of children) c.send('go');
  await Promise.all(done);
  await Promise.all(exited);
}

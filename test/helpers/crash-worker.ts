/**
 * A writer process for crash tests: runs a deterministic workload on a store
 * and prints `ack <sandbox> <seq> <hash>` after each call returns, with a
 * synchronous write, so that a parent that kills it knows exactly which
 * events were acknowledged.
 *
 *   node --import tsx crash-worker.ts <root> <mode> <seed> <count> [sandbox…]
 *   mode: mixed (creates, stores, deletes on its sandboxes) | stores (state stores only)
 */
import { writeSync } from 'node:fs';
import stringify from 'fast-json-stable-stringify';
import { hashBody, type JournalEvent } from '../../src/journal/record.ts';
import { rootsUnder } from '../../src/layout/roots.ts';
import { Store } from '../../src/store/store.ts';
import { seeded } from './seeded.ts';

const [root, mode, seedArg, countArg, ...sandboxes] = process.argv.slice(2);
if (root === undefined || sandboxes.length === 0)
  throw new Error('usage: crash-worker.ts <root> <mode> <seed> <count> <sandbox>…');
const store = new Store({ roots: rootsUnder(root) });
const random = seeded(Number(seedArg));

function ack(event: JournalEvent): void {
  writeSync(1, `ack ${event.sandbox} ${event.seq} ${hashBody(Buffer.from(stringify(event)))}\n`);
}

const containers = ['c1', 'c2', 'c3'];

async function mixedOp(i: number): Promise<JournalEvent | undefined> {
  const sb = sandboxes[random(sandboxes.length)]!;
  const c = containers[random(containers.length)]!;
  switch (random(8)) {
    case 0:
      return store.createAllResources({ id: sb, containers: containers.slice(0, 1 + random(3)) });
    case 1:
      return store.deleteContainerResources(sb, c, null);
    case 2:
      return random(4) === 0
        ? store.deleteSandboxResources(sb, null)
        : store.createAllResources({ id: sb, containers });
    case 3:
      return store.storeAgentState(sb, { ProxyPid: i, URL: `unix:///run/${sb}/${'x'.repeat(random(5000))}` });
    case 4:
      return store.storeContainerProcess(sb, c, { Token: `t${i}`, Pid: i, StartTime: '2026-11-29T10:00:00.5Z' });
    default:
      return store.storeSandboxResource(sb, 'state', { type: 'State', value: { state: 'running', blockIndex: i } });
  }
}

for (let i = 0; i < Number(countArg); i++) {
  try {
    const event =
      mode === 'stores'
        ? await store.storeSandboxResource(sandboxes[i % sandboxes.length]!, 'state', {
            type: 'State',
            value: { state: 'running', blockIndex: i },
          })
        : await mixedOp(i);
    if (event) ack(event);
  } catch (err) {
    // A store into a folder that does not exist (yet) fails like the legacy code did; nothing was appended.
    if (!['ENOENT', 'ENOTDIR'].includes((err as { code?: string }).code ?? '')) throw err;
  }
}
await store.close();

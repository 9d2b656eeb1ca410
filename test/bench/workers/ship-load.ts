/**
 * The writers of the shipping-lag figure, in a process of their own as on a
 * host (the runtime writes, `vcstore ship` reads). argv: root, seconds,
 * stores per second in all, sandboxes. Sends `{ ready }` once the sandboxes
 * exist, then batches of `[sandbox, seq, time]` (time in ms since the epoch,
 * high resolution, when the store returned), then `{ done, stores, seconds }`.
 */
import { rootsUnder } from '../../../src/layout/roots.ts';
import { Store } from '../../../src/store/store.ts';

const [root = '', secondsArg = '1', rateArg = '1000', sandboxesArg = '16'] = process.argv.slice(2);
const seconds = Number(secondsArg);
const perSandbox = Number(rateArg) / Number(sandboxesArg);
const store = new Store({ roots: rootsUnder(root) });
const ids = Array.from({ length: Number(sandboxesArg) }, (_, i) => `lag-${i}`);
for (const id of ids) await store.createAllResources({ id });
const now = () => performance.timeOrigin + performance.now();
process.send!({ ready: true });

let batch: [string, number, number][] = [];
const flush = setInterval(() => {
  if (batch.length > 0) process.send!({ stored: batch });
  batch = [];
}, 50);
const began = performance.now();
const until = began + seconds * 1000;
let stores = 0;
await Promise.all(
  ids.map(async (id, i) => {
    // Paced: event n of this sandbox is due n / rate seconds after its start, the sandboxes staggered.
    const start = began + (i * 1000) / (perSandbox * ids.length);
    for (let n = 0; ; n++) {
      const due = start + (n * 1000) / perSandbox;
      if (due > until) break;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const event = await store.storeSandboxResource(id, 'state', {
        type: 'State',
        value: { state: n % 2 ? 'running' : 'paused' },
      });
      batch.push([id, event.seq, now()]);
      stores++;
    }
  }),
);
const elapsed = (performance.now() - began) / 1000;
clearInterval(flush);
const heads = Object.fromEntries(await Promise.all(ids.map(async (id) => [id, await store.seq(id)])));
await store.close();
process.send!({ stored: batch, done: true, stores, seconds: elapsed, heads });
process.disconnect();

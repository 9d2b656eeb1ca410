import path from 'node:path';
import { rootsUnder } from '../../../src/layout/roots.ts';
import { Store } from '../../../src/store/store.ts';
import type { Suite } from '../context.ts';
import { interleave, type Workload } from '../measure.ts';
import { alone, compare, withSamples } from '../report.ts';
import { stateData } from '../workload.ts';
import { legacyFetch } from './legacy.ts';

/** `fetchSandboxState` against the legacy fetch, both reading the same state.json. */
export const fetchSuite: Suite = {
  name: 'fetch',
  about: 'fetchSandboxState against the legacy fetch (readFile + JSON.parse) of the same file',
  async run(ctx) {
    const roots = rootsUnder(await ctx.folder('fetch'));
    const store = new Store({ roots });
    await store.createAllResources({ id: 'sb' });
    await store.storeSandboxResource('sb', 'state', stateData(1000));
    const file = path.join(roots.run, 'sb', 'state.json');
    const legacyName = 'legacy fetch (readFile + JSON.parse)';
    const vcName = 'vcstore fetchSandboxState';
    const loop = (name: string, fn: () => Promise<unknown>): Workload => ({
      name,
      async run(n) {
        for (let i = 0; i < n; i++) await fn();
      },
    });
    try {
      const rates = await interleave(
        [loop(legacyName, () => legacyFetch(file)), loop(vcName, () => store.fetchSandboxState('sb'))],
        ctx.sizes.fetch,
      );
      const legacy = rates.get(legacyName)!.opsPerSec;
      const vc = rates.get(vcName)!.opsPerSec;
      const rows = [
        alone('fetch', legacyName, legacy, 'ops/s'),
        compare('fetch', vcName, vc, 'ops/s', legacyName, legacy, { op: '>=', ratio: 0.9 }),
      ];
      return withSamples(rows, (f) => rates.get(f)?.samples);
    } finally {
      await store.close();
    }
  },
};

import { readFileSync } from 'node:fs';
import { StoreError, type ErrorCode } from '../../src/errors.ts';
import type { Store } from '../../src/store/store.ts';

/**
 * The fixture ops where vcstore deliberately differs from the legacy Go code,
 * each with the reason (docs/compatibility.md tells the whole story), in
 * deviations.json. Each asserts the new behaviour: the error code, and that a
 * refused op wrote nothing.
 */
export interface Deviation {
  reason: string;
  /** the error vcstore gives, or null when it succeeds */
  code: ErrorCode | null;
  /** the error text: exactly Go's ('go'), or this one */
  message?: string;
  /** 'none': the tree must not change; 'unchecked': a consequence of an earlier deviation */
  effects: 'none' | 'unchecked';
  /** ops whose value Go could not marshal carry no data: the test builds an equivalent value */
  run?: (store: Store) => Promise<unknown>;
}

/** The table itself is data, read by this test and by the Go client's (test/interop/go). */
const TABLE: Record<string, Omit<Deviation, 'run'>> = JSON.parse(
  readFileSync(new URL('./deviations.json', import.meta.url), 'utf8'),
);

/**
 * Ops whose value Go could not marshal carry no data: each is run with an
 * equivalent value. JavaScript has no channels: a function is the value JSON cannot encode.
 */
const RUNS = new Map<string, (store: Store) => Promise<unknown>>([
  [
    '12-store-errors#33',
    (s) => s.storeContainerProcess('sb-err', 'c-err', { Token: 't', Pid: 1, StartTime: '10000-01-01T00:00:00Z' }),
  ],
  [
    '12-store-errors#34',
    (s) =>
      s.storeSandboxResource('sb-err', 'config', {
        type: 'SandboxConfig',
        value: { ID: 'sb-err', AgentConfig: Number.POSITIVE_INFINITY },
      }),
  ],
  ['12-store-errors#35', (s) => s.storeAgentState('sb-err', { ch: () => 0 })],
]);

export const DEVIATIONS = new Map<string, Deviation>(
  Object.entries(TABLE).map(([op, deviation]) => {
    const run = RUNS.get(op);
    return [op, run ? { ...deviation, run } : deviation];
  }),
);
for (const op of RUNS.keys()) if (!TABLE[op]) throw new Error(`deviations.json lacks ${op}`);

/** Runs a deviation's own call, as runOp would report it. */
export async function runDeviation(
  deviation: Deviation,
  store: Store,
): Promise<{ error: StoreError | null; result: null }> {
  try {
    await deviation.run!(store);
    return { error: null, result: null };
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
    return { error: err, result: null };
  }
}

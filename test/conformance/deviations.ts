import { StoreError, type ErrorCode } from '../../src/errors.ts';
import type { Store } from '../../src/store/store.ts';

/**
 * The fixture ops where vcstore deliberately differs from the legacy Go code,
 * each with the reason (docs/compatibility.md tells the whole story). Each
 * asserts the new behaviour: the error code, and that a refused op wrote nothing.
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

const UNSAFE = 'an unsafe ID is refused before anything is read or written';
const refusedId = (): Deviation => ({ reason: UNSAFE, code: 'EUNSAFEID', effects: 'none' });
const MARSHAL = 'a value that cannot be marshaled fails before the file is touched: the old content survives';
const KEPT = 'the file kept its old content (Go had truncated it to 0 bytes), so the fetch succeeds';

export const DEVIATIONS = new Map<string, Deviation>([
  ['02-create-all-resources#2', refusedId()],
  [
    '02-create-all-resources#4',
    { reason: 'writes into sb-many, which op 2 did not create', code: null, effects: 'unchecked' },
  ],
  [
    '02-create-all-resources#5',
    {
      reason: 'sb-many has only the run folder op 4 wrote: this create also makes its config folder',
      code: null,
      effects: 'unchecked',
    },
  ],
  [
    '10-delete-container-resources#48',
    {
      reason: 'a delete list is checked whole: nothing is removed before the invalid entry',
      code: 'EINVALIDRESOURCE',
      effects: 'none',
    },
  ],
  [
    '11-delete-sandbox-resources#62',
    {
      reason: 'a delete list is checked whole: nothing is removed before the invalid entry',
      code: 'EINVALIDRESOURCE',
      effects: 'none',
    },
  ],
  [
    '12-store-errors#33',
    {
      reason: MARSHAL,
      code: 'EMARSHAL',
      message: 'go',
      effects: 'none',
      run: (s) =>
        s.storeContainerProcess('sb-err', 'c-err', { Token: 't', Pid: 1, StartTime: '10000-01-01T00:00:00Z' }),
    },
  ],
  [
    '12-store-errors#34',
    {
      reason: MARSHAL,
      code: 'EMARSHAL',
      message: 'go',
      effects: 'none',
      run: (s) =>
        s.storeSandboxResource('sb-err', 'config', {
          type: 'SandboxConfig',
          value: { ID: 'sb-err', AgentConfig: Number.POSITIVE_INFINITY },
        }),
    },
  ],
  [
    '12-store-errors#35',
    {
      // JavaScript has no channels: a function is the value JSON cannot encode.
      reason: MARSHAL,
      code: 'EMARSHAL',
      message: 'Could not marshall data: json: unsupported type: function',
      effects: 'none',
      run: (s) => s.storeAgentState('sb-err', { ch: () => 0 }),
    },
  ],
  ['12-store-errors#36', { reason: KEPT, code: null, effects: 'none' }],
  ['12-store-errors#37', { reason: KEPT, code: null, effects: 'none' }],
  ['12-store-errors#38', { reason: KEPT, code: null, effects: 'none' }],
  ['14-path-quirks#0', refusedId()],
  ['14-path-quirks#1', refusedId()],
  ['14-path-quirks#2', refusedId()],
  ['14-path-quirks#3', refusedId()],
  ['14-path-quirks#4', refusedId()],
  ['14-path-quirks#5', refusedId()],
  ['14-path-quirks#6', { reason: 'sb-q was not created by op 4', code: 'ENOENT', effects: 'none' }],
  ['14-path-quirks#7', refusedId()],
  ['14-path-quirks#8', { reason: 'sb-q was not created by op 4', code: 'ENOENT', effects: 'none' }],
  [
    '14-path-quirks#9',
    {
      reason: 'the first create that succeeds also makes the virtcontainers/sandboxes parents',
      code: null,
      effects: 'unchecked',
    },
  ],
  [
    '15-destructive-quirks#2',
    { reason: 'an empty container ID no longer removes the whole sandbox', code: 'ENEEDCONTAINERID', effects: 'none' },
  ],
  [
    '15-destructive-quirks#6',
    {
      reason: 'an empty container ID no longer wipes the populated sandbox',
      code: 'ENEEDCONTAINERID',
      effects: 'none',
    },
  ],
  [
    '15-destructive-quirks#8',
    { reason: '"." would remove every sandbox\'s run folder', code: 'EUNSAFEID', effects: 'none' },
  ],
  ...[27, 28, 29, 30, 31, 32, 33].map((i): [string, Deviation] => [`16-uri-resolution#${i}`, refusedId()]),
  [
    '18-create-errors#0',
    {
      reason: 'the empty sandbox ID gets its own error, not "mkdir : …"',
      code: 'ENEEDSANDBOXID',
      message: 'Sandbox ID cannot be empty',
      effects: 'none',
    },
  ],
  [
    '18-create-errors#3',
    {
      reason: 'every folder is checked before any is made: no run folder is left behind',
      code: 'ENOTDIR',
      message: 'go',
      effects: 'none',
    },
  ],
  [
    '18-create-errors#9',
    {
      reason: 'a blocked container folder no longer wipes the sandbox and its stored state',
      code: 'ENOTDIR',
      message: 'go',
      effects: 'none',
    },
  ],
]);

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

/**
 * Named places in the write path where a crash test can kill the process.
 * They do nothing unless VCSTORE_FAILPOINT names one (`name`, or `name@N`
 * for its Nth hit), so the write path carries a string compare and no more.
 */
const armed = parseArmed(process.env.VCSTORE_FAILPOINT);
let hits = 0;

export type FailpointName =
  | 'lock-acquired' // the sandbox lock is held, nothing read yet
  | 'journal-written' // the frame is written, not yet synced
  | 'journal-synced' // the event is durable, not yet acknowledged or projected
  | 'temp-written' // a legacy temp file is written, not yet renamed
  | 'between-removes' // a delete removed one folder of several
  | 'between-mkdirs'; // a create made one folder of several

export const FAILPOINTS: FailpointName[] = [
  'lock-acquired',
  'journal-written',
  'journal-synced',
  'temp-written',
  'between-removes',
  'between-mkdirs',
];

export function failpoint(name: FailpointName): void {
  if (armed === undefined || armed.name !== name) return;
  if (++hits < armed.hit) return;
  process.kill(process.pid, 'SIGKILL');
}

/**
 * Named places where a race test can make one process slow: with
 * VCSTORE_DELAYPOINT=name:ms the thread sleeps that long at every hit, so a
 * test can put a waiter behind the others on purpose instead of hoping the
 * scheduler does.
 */
export type DelaypointName = 'lock-judged-dead'; // a waiter has judged the lock's holder dead, not yet taken over

const delayed = parseDelayed(process.env.VCSTORE_DELAYPOINT);

export function delaypoint(name: DelaypointName): void {
  if (delayed === undefined || delayed.name !== name) return;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, delayed.ms);
}

function parseDelayed(value: string | undefined): { name: string; ms: number } | undefined {
  if (!value) return undefined;
  const [name = '', ms] = value.split(':');
  return { name, ms: Number(ms) || 0 };
}

function parseArmed(value: string | undefined): { name: string; hit: number } | undefined {
  if (!value) return undefined;
  const [name = '', hit] = value.split('@');
  return { name, hit: hit ? Number(hit) : 1 };
}

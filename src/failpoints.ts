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

function parseArmed(value: string | undefined): { name: string; hit: number } | undefined {
  if (!value) return undefined;
  const [name = '', hit] = value.split('@');
  return { name, hit: hit ? Number(hit) : 1 };
}

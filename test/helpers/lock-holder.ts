/**
 * Holds one sandbox's writer lock for a lock test, in a process of its own:
 * prints `locked`, then releases on the line `release` and exits.
 *
 *   node --import tsx lock-holder.ts <journal root> <sandbox>
 */
import { createInterface } from 'node:readline';
import { silentLogger } from '../../src/log.ts';
import { lockSandbox } from '../../src/store/writer-lock.ts';

const [journalRoot, sandbox] = process.argv.slice(2);
if (journalRoot === undefined || sandbox === undefined)
  throw new Error('usage: lock-holder.ts <journal root> <sandbox>');
const lock = await lockSandbox(journalRoot, sandbox, silentLogger);
process.stdout.write('locked\n');
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'release') break;
}
await lock.release();
process.stdout.write('released\n');
process.exit(0); // stdin would keep the process alive

/**
 * Runs test files as on a machine that has never seen this repository: a boot
 * ID, a machine ID, a time zone and a umask unlike this one's. A fixture or an
 * expectation tied to the machine it was written on fails here, on the machine
 * where it was written. `npm run test:foreign-machine [files…]`; with no files,
 * the journal and store tests.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const testFiles = (dir: string): string[] =>
  readdirSync(join(import.meta.dirname, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => join('test', dir, f))
    .sort();

const files = process.argv.length > 2 ? process.argv.slice(2) : [...testFiles('journal'), ...testFiles('store')];
const dir = mkdtempSync(join(tmpdir(), 'vcstore-foreign-machine-'));
const bootFile = join(dir, 'boot_id');
const machineFile = join(dir, 'machine-id');
writeFileSync(bootFile, `${randomUUID()}\n`);
writeFileSync(machineFile, `${randomUUID().replaceAll('-', '')}\n`);
// Children inherit the umask: 027 is a common hardened one, unlike the usual 022.
process.umask(0o027);
const env = {
  ...process.env,
  VCSTORE_BOOT_ID_FILE: bootFile,
  VCSTORE_MACHINE_ID_FILE: machineFile,
  // UTC+12:45 (+13:45 in summer): no date or hour of a local clock matches UTC's.
  TZ: 'Pacific/Chatham',
};
console.log(`# foreign machine: boot ${bootFile}, machine ${machineFile}, TZ ${env.TZ}, umask 027`);
const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], {
  stdio: 'inherit',
  env,
});
rmSync(dir, { recursive: true, force: true });
process.exit(run.status ?? 1);

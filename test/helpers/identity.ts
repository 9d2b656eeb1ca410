/**
 * The machine a test runs on, made explicit: a boot ID and a machine ID the
 * test chooses, through the sources vcstore reads them from.
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { tempDir } from './temp.ts';

/** This process reads `id` as the host's boot ID until the test ends. */
export async function pinBootId(t: TestContext, id: string = randomUUID()): Promise<string> {
  return pinSource(t, 'VCSTORE_BOOT_ID_FILE', id);
}

/** This process reads `id` as the host's machine ID until the test ends. */
export async function pinMachineId(t: TestContext, id: string = randomUUID().replaceAll('-', '')): Promise<string> {
  return pinSource(t, 'VCSTORE_MACHINE_ID_FILE', id);
}

async function pinSource(t: TestContext, variable: string, id: string): Promise<string> {
  const file = join(await tempDir(t, 'identity'), 'id');
  await writeFile(file, `${id}\n`);
  const before = process.env[variable];
  process.env[variable] = file;
  t.after(() => {
    if (before === undefined) delete process.env[variable];
    else process.env[variable] = before;
  });
  return id;
}

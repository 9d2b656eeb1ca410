/**
 * Temp folders for tests, all made here: under os.tmpdir(), named after what
 * they hold, removed after the test whether it passed or not.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';

/** A fresh folder for this test, removed once it has ended (after its own `finally` blocks). */
export async function tempDir(t: TestContext, name = 'test'): Promise<string> {
  const { dir, remove } = await makeTempDir(name);
  t.after(remove);
  return dir;
}

/**
 * A fresh folder and its removal, for what outlives one test (a scenario
 * shared by a file's tests, a server cluster): the owner removes it.
 */
export async function makeTempDir(name: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `vcstore-${name}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * A real, small file system that fills up: a tmpfs mounted for one test.
 * Mounting needs root (or CAP_SYS_ADMIN); without it the test is skipped,
 * visibly.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { stat, statfs, truncate } from 'node:fs/promises';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { tempDir } from './temp.ts';

/** Runs `fn` on a fresh tmpfs of `kib` KiB, unmounted afterwards; skips the test if it cannot be mounted. */
export async function withTmpfs(t: TestContext, kib: number, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await tempDir(t, 'disk');
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', dir], { encoding: 'utf8' });
  if (mount.status !== 0) {
    t.skip(
      `cannot mount a tmpfs (needs root or CAP_SYS_ADMIN): ${(mount.stderr || String(mount.error)).split('\n')[0]}`,
    );
    return;
  }
  try {
    await fn(dir);
  } finally {
    // A lazy unmount if a file is still open, so a failed test never leaves a mount behind.
    if (spawnSync('umount', [dir]).status !== 0) spawnSync('umount', ['-l', dir]);
  }
}

/** Writes zeros to `file` until the file system refuses with ENOSPC. */
export function fillDisk(file: string): void {
  const fd = openSync(file, 'a');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
}

/** The unit tmpfs allocates in: a memory page. */
export async function pageSize(dir: string): Promise<number> {
  return (await statfs(dir)).bsize;
}

/** Gives `pages` pages back by shortening the filler. */
export async function freePages(file: string, pages: number): Promise<void> {
  const { size } = await stat(file);
  await truncate(file, Math.max(0, size - pages * (await pageSize(path.dirname(file)))));
}

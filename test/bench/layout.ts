/**
 * Where a store's three roots live. On a real host `/run` is a tmpfs:
 * `state.json` and the other runtime files are there, and only
 * `config.json` and the journal are on disk (the host layout). The bench
 * measures every store figure in that layout and with everything on the
 * disk (ext4 here: the worst case).
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, statfs, symlink } from 'node:fs/promises';
import path from 'node:path';
import { alone, type Row } from './report.ts';

export type LayoutName = 'host' | 'ext4';

/** statfs(2)'s f_type of a tmpfs. */
const TMPFS_MAGIC = 0x01021994;

export interface Layout {
  name: LayoutName;
  /** appended to every figure measured in this layout */
  label: string;
  /**
   * A fresh prefix for a store, laid out as `--root DIR` lays it out. In the
   * host layout DIR/run is a symbolic link to a folder on the tmpfs, so the
   * run root (DIR/run/virtcontainers/sandboxes) is there, while the config
   * and journal roots stay on the disk; the daemon, which takes only
   * `--root`, is laid out the same way.
   */
  prefix(tag: string): Promise<string>;
}

export interface Layouts {
  /** the layouts this run measures, in order */
  available: Layout[];
  /** a layout asked for that cannot be had here, and why */
  missing: { name: LayoutName; label: string; why: string }[];
  /** what the host layout's run root is on, for the header */
  tmpfs: string | null;
  /** removes the tmpfs folder (and unmounts it if the bench mounted it) */
  cleanup(): Promise<void>;
}

export const LAYOUT_LABEL: Record<LayoutName, string> = {
  host: 'host layout',
  ext4: 'all on ext4',
};

async function isTmpfs(dir: string): Promise<boolean> {
  try {
    return (await statfs(dir)).type === TMPFS_MAGIC;
  } catch {
    return false;
  }
}

/** A folder on a tmpfs: under /dev/shm when that is one, else a tmpfs mounted for the run (root only). */
async function tmpfsFolder(
  diskDir: string,
): Promise<{ dir: string; about: string; cleanup: () => Promise<void> } | { why: string }> {
  if (await isTmpfs('/dev/shm')) {
    const dir = await mkdtemp('/dev/shm/vcstore-bench-run-');
    return { dir, about: '/dev/shm (tmpfs)', cleanup: () => rm(dir, { recursive: true, force: true }) };
  }
  const dir = path.join(diskDir, 'tmpfs');
  await mkdir(dir, { recursive: true });
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=512m,mode=0700', 'tmpfs', dir], { encoding: 'utf8' });
  if (mount.status !== 0)
    return {
      why: `not measured: /dev/shm is not a tmpfs and mounting one failed (needs root or CAP_SYS_ADMIN): ${(mount.stderr || String(mount.error)).split('\n')[0]}`,
    };
  return {
    dir,
    about: `a tmpfs mounted at ${dir}`,
    cleanup: async () => {
      if (spawnSync('umount', [dir]).status !== 0) spawnSync('umount', ['-l', dir]);
    },
  };
}

/** The layouts asked for, with `diskDir` (the run's temp folder, on the disk) for what stays on the disk. */
export async function prepareLayouts(asked: LayoutName[], diskDir: string): Promise<Layouts> {
  const available: Layout[] = [];
  const missing: Layouts['missing'] = [];
  let tmpfs: string | null = null;
  let cleanup = () => Promise.resolve();
  let made = 0;
  const fresh = (base: string, tag: string) => mkdtemp(path.join(base, `${tag}-${made++}-`));
  for (const name of asked) {
    if (name === 'ext4') {
      available.push({ name, label: LAYOUT_LABEL.ext4, prefix: (tag) => fresh(diskDir, tag) });
      continue;
    }
    const fs = await tmpfsFolder(diskDir);
    if ('why' in fs) {
      missing.push({ name, label: LAYOUT_LABEL.host, why: fs.why });
      continue;
    }
    tmpfs = fs.about;
    cleanup = fs.cleanup;
    available.push({
      name,
      label: LAYOUT_LABEL.host,
      async prefix(tag) {
        const prefix = await fresh(diskDir, `host-${tag}`);
        const run = await fresh(fs.dir, tag);
        await symlink(run, path.join(prefix, 'run'));
        return prefix;
      },
    });
  }
  return { available, missing, tmpfs, cleanup };
}

/** One row per layout asked for but not available, saying why, so a missing column is never silent. */
export const missingLayoutRows = (suite: string, missing: Layouts['missing'], what: string): Row[] =>
  missing.map((m) => alone(suite, `${what}, ${m.label}`, null, 'ops/s', m.why));

import { watch, type FSWatcher } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import type { Roots } from '../layout/roots.ts';
import { diskPath } from '../layout/tree-path.ts';
import { errnoOf } from '../fs/missing.ts';

/** The legacy tree is three folders deep: root, sandbox, container. Nothing below is the runtime's. */
const MAX_DEPTH = 2;

export interface DirWatchEvents {
  /** a tree path whose entry was written, created, removed or renamed */
  changed(treePath: string): void;
  /** a watch failed or could not be added: events may have been lost */
  lost(reason: string, err: unknown): void;
}

/**
 * One inotify watch (fs.watch, not recursive) per folder of the legacy tree:
 * the two roots, every sandbox folder and every container folder. A folder
 * that appears is watched at once, and reported whole, since files may have
 * been written in it before its watch was added.
 */
export class DirWatches {
  /** by tree path; `ino` tells a folder removed and made again (whose old watch is dead) from the one watched */
  private readonly watches = new Map<string, { watcher: FSWatcher; ino: number }>();
  private closed = false;

  constructor(
    private readonly roots: Roots,
    private readonly on: DirWatchEvents,
  ) {}

  /** Watches every folder of the tree as it is now (again, where a watch was dropped). */
  async addAll(): Promise<void> {
    for (const root of ['config', 'run'] as const) await this.addTree(root, 0);
  }

  close(): void {
    this.closed = true;
    for (const w of this.watches.values()) w.watcher.close();
    this.watches.clear();
  }

  get size(): number {
    return this.watches.size;
  }

  private async addTree(treePath: string, depth: number): Promise<void> {
    if (this.closed) return;
    const dir = treePath === 'config' || treePath === 'run' ? this.roots[treePath] : diskPath(this.roots, treePath);
    const info = await lstat(dir).catch(() => undefined);
    if (!info?.isDirectory()) return;
    if (this.watches.get(treePath)?.ino !== info.ino) this.drop(treePath);
    if (!this.add(treePath, dir, depth, info.ino)) return;
    if (depth >= MAX_DEPTH) return;
    const names = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of names) if (entry.isDirectory()) await this.addTree(`${treePath}/${entry.name}`, depth + 1);
  }

  /** Adds one watch; false when the folder is gone or cannot be watched (then reported as lost). */
  private add(treePath: string, dir: string, depth: number, ino: number): boolean {
    if (this.watches.has(treePath)) return true;
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, { persistent: true }, (type, name) => {
        if (name === null) this.on.lost('event without a name', undefined);
        else void this.entryChanged(`${treePath}/${name}`, depth + 1, type);
      });
    } catch (err) {
      const code = errnoOf(err);
      if (code === 'ENOENT' || code === 'ENOTDIR') return false;
      // ENOSPC here is inotify's max_user_watches: the tree is bigger than the watches allowed.
      this.on.lost(
        code === 'ENOSPC' ? 'watch limit reached (fs.inotify.max_user_watches)' : `cannot watch ${dir}`,
        err,
      );
      return false;
    }
    watcher.on('error', (err) => {
      this.drop(treePath);
      // A folder that went away ends its watch; that is a change, not a loss.
      if (errnoOf(err) !== 'ENOENT') this.on.lost(`watch on ${dir} failed`, err);
    });
    this.watches.set(treePath, { watcher, ino });
    return true;
  }

  private async entryChanged(treePath: string, depth: number, type: string): Promise<void> {
    this.on.changed(treePath);
    if (depth > MAX_DEPTH) return;
    const info = await lstat(diskPath(this.roots, treePath)).catch(() => undefined);
    if (info?.isDirectory()) {
      // Made, or removed and made again (perhaps with the same inode number): the old watch, if any, is dead.
      if (type === 'rename' || this.watches.get(treePath)?.ino !== info.ino) {
        this.drop(treePath);
        await this.addTree(treePath, depth);
        this.on.changed(treePath); // whatever was written in it before the watch
      }
    } else {
      for (const key of [...this.watches.keys()])
        if (key === treePath || key.startsWith(`${treePath}/`)) this.drop(key);
    }
  }

  private drop(treePath: string): void {
    this.watches.get(treePath)?.watcher.close();
    this.watches.delete(treePath);
  }
}

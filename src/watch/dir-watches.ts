import { closeSync, fstatSync, readdirSync, watch, type Dirent, type FSWatcher } from 'node:fs';
import type { Roots } from '../layout/roots.ts';
import { errnoOf } from '../fs/missing.ts';
import { fdPath, openDirBelow } from '../fs/no-follow.ts';

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
 * been written in it before its watch was added. Each folder is opened
 * without following a link in any component, and the watch is added on that
 * open folder: a folder swapped for a link is reported, never watched
 * through (its link is what the change records).
 */
export class DirWatches {
  /** by tree path; `ino` tells a folder removed and made again (whose old watch is dead) from the one watched */
  private readonly watches = new Map<string, { watcher: FSWatcher; ino: number }>();
  private closed = false;
  private opened = 0;

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
    const fd = this.open(treePath);
    if (fd === undefined) return;
    let names: Dirent[] = [];
    try {
      const ino = fstatSync(fd).ino;
      if (this.watches.get(treePath)?.ino !== ino) this.drop(treePath);
      if (!this.add(treePath, fd, depth, ino)) return;
      if (depth < MAX_DEPTH) names = readdirSync(fdPath(fd), { withFileTypes: true });
    } catch (err) {
      if (errnoOf(err) !== 'ENOENT') throw err; // gone meanwhile: its removal is an event of its own
    } finally {
      closeSync(fd);
    }
    // A link is neither a folder here nor followed: only real folders are watched.
    for (const entry of names) if (entry.isDirectory()) await this.addTree(`${treePath}/${entry.name}`, depth + 1);
    // A turn of the event loop now and then: a large tree's folders never keep a stop or an event waiting.
    if (++this.opened % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
  }

  /** The folder at a tree path, opened without following a link; undefined when it is not a real folder. */
  private open(treePath: string): number | undefined {
    const [side, ...parts] = treePath.split('/') as ['config' | 'run', ...string[]];
    try {
      const opened = openDirBelow(this.roots[side], parts);
      return 'fd' in opened ? opened.fd : undefined;
    } catch (err) {
      this.on.lost(`cannot open ${treePath}`, err); // EACCES, EMFILE: what is in it goes unseen until a rescan
      return undefined;
    }
  }

  /** Adds one watch on the open folder; false when it cannot be watched (then reported as lost). */
  private add(treePath: string, fd: number, depth: number, ino: number): boolean {
    if (this.watches.has(treePath)) return true;
    const dir = treePath; // named by tree path: the open folder's own path says nothing
    let watcher: FSWatcher;
    try {
      // The path of the open folder: inotify resolves it to that very folder, not to whatever its name is now.
      watcher = watch(fdPath(fd), { persistent: true }, (type, name) => {
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
    if (depth > MAX_DEPTH || this.closed) return;
    const fd = this.open(treePath);
    let ino: number | undefined;
    if (fd !== undefined) {
      try {
        ino = fstatSync(fd).ino;
      } finally {
        closeSync(fd);
      }
    }
    if (ino !== undefined) {
      // Made, or removed and made again (perhaps with the same inode number): the old watch, if any, is dead.
      if (type === 'rename' || this.watches.get(treePath)?.ino !== ino) {
        this.drop(treePath);
        await this.addTree(treePath, depth);
        this.on.changed(treePath); // whatever was written in it before the watch
      }
    } else if (this.watches.has(treePath)) {
      // A watched folder removed or swapped for a link: its watches and those below it are dead.
      for (const key of [...this.watches.keys()])
        if (key === treePath || key.startsWith(`${treePath}/`)) this.drop(key);
    }
  }

  private drop(treePath: string): void {
    this.watches.get(treePath)?.watcher.close();
    this.watches.delete(treePath);
  }
}

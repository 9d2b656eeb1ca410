import { fstatSync, lstatSync, type Stats } from 'node:fs';
import { errStale, osError } from '../../errors.ts';

/**
 * Whether a writer's open journal is still the file at its path: the same
 * device and inode, and still linked. A prune (or a restore) removes or
 * replaces the folder under the sandbox's lock, but an open descriptor
 * outlives that, and what a writer appended to it then would be lost with
 * the last close. ESTALE tells the holder to open the journal again.
 * The calls are synchronous: fstat and lstat are answered from memory, and a
 * thread-pool round trip per append would cost more than they do.
 */
export class AtPath {
  /**
   * The lock under which the path was last found holding this file. A prune
   * or a restore replaces the journal only under the sandbox's lock, so while
   * the caller still holds that same lock (it checks it is still its own
   * before every append) the path cannot have changed: an append under it
   * needs only the size (fstat), not the path (lstat) again.
   */
  #held: object | undefined;

  constructor(
    private readonly file: string,
    private readonly fd: number,
  ) {}

  /** The open file's status, once the path is found to hold it; `held` is the caller's lock, if any. */
  check(seq: number, held?: object): Stats {
    const fd = this.fstat();
    let named: Stats | undefined;
    try {
      named = lstatSync(this.file, { throwIfNoEntry: false });
    } catch (err) {
      throw osError('stat', this.file, err);
    }
    if (fd.nlink > 0 && named !== undefined && named.dev === fd.dev && named.ino === fd.ino) {
      this.#held = held;
      return fd;
    }
    const why = named === undefined ? 'was removed' : 'was replaced';
    throw errStale(`${this.file} ${why} under this writer; open it again`, { file: this.file, seq });
  }

  /** As `check`, but the path is looked at again only when it was not already found under this same lock. */
  checkUnder(seq: number, held?: object): Stats {
    return held !== undefined && held === this.#held ? this.fstat() : this.check(seq, held);
  }

  fstat(): Stats {
    try {
      return fstatSync(this.fd);
    } catch (err) {
      throw osError('stat', this.file, err);
    }
  }
}

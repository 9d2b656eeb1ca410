import path from 'node:path';
import stringify from 'fast-json-stable-stringify';
import { StoreError } from '../errors.ts';
import { hashBody, type JournalEvent } from '../journal/record.ts';
import { fileName, resourceOf, rootOf, type Resource } from '../layout/resources.ts';

/**
 * What the legacy tree holds according to the journal: the folders vcstore
 * made and the bytes of every file it wrote. Keys are tree paths,
 * `config/<sandbox>[/<container>]…` or `run/<sandbox>[/<container>]…`.
 */
export class TreeModel {
  readonly dirs = new Set<string>();
  readonly files = new Map<string, string>();
  /**
   * Folders an event removed that no later event made again: a rebuild
   * removes them, since a writer may have died before it did.
   */
  readonly removed = new Set<string>();

  apply(event: JournalEvent): void {
    for (const change of changesOf(event)) {
      if (change.kind === 'dir') this.addDir(change.path);
      else if (change.kind === 'file') this.setFile(change.path, change.content, change.keep);
      else this.remove(change.path);
    }
  }

  /** SHA-256 of the model's canonical JSON: what a checkpoint event commits to. */
  digest(): string {
    return hashBody(Buffer.from(stringify(this.toJSON())));
  }

  toJSON(): ModelState {
    return { dirs: [...this.dirs].sort(), files: Object.fromEntries(this.files), removed: [...this.removed].sort() };
  }

  static from(state: ModelState): TreeModel {
    const model = new TreeModel();
    for (const dir of state.dirs) model.dirs.add(dir);
    for (const [file, content] of Object.entries(state.files)) model.files.set(file, content);
    for (const dir of state.removed) model.removed.add(dir);
    return model;
  }

  private addDir(dir: string): void {
    this.dirs.add(dir);
    if (this.removed.size > 0) for (const r of this.removed) if (dir === r || dir.startsWith(`${r}/`)) this.removed.delete(r);
  }

  private setFile(file: string, content: string, keep: boolean): void {
    if (keep && this.files.has(file)) return;
    this.files.set(file, content);
    for (let dir = path.posix.dirname(file); dir.includes('/'); dir = path.posix.dirname(dir)) this.addDir(dir);
  }

  private remove(prefix: string): void {
    const under = (p: string) => p === prefix || p.startsWith(`${prefix}/`);
    let existed = false;
    for (const dir of this.dirs) if (under(dir)) existed = this.dirs.delete(dir) || existed;
    for (const file of this.files.keys()) if (under(file)) existed = this.files.delete(file) || existed;
    for (const r of this.removed) if (under(r)) this.removed.delete(r);
    if (existed) this.removed.add(prefix);
  }
}

/** A model as a checkpoint stores it. */
export interface ModelState {
  dirs: string[];
  files: Record<string, string>;
  removed: string[];
}

/** One step of an event's effect on the tree, in the order it is carried out. */
export type Change =
  | { kind: 'dir'; path: string }
  | { kind: 'file'; path: string; content: string; keep: boolean }
  | { kind: 'remove'; path: string };

/** The effect of an event, as tree paths; the projector and the model share it. */
export function changesOf(event: JournalEvent): Change[] {
  const sandbox = event.sandbox;
  switch (event.op) {
    case 'create': {
      const dirs = [`run/${sandbox}`, `config/${sandbox}`];
      for (const c of event.containers ?? []) dirs.push(`run/${sandbox}/${c}`, `config/${sandbox}/${c}`);
      // The lock file is created only when nothing is there; existing content is kept.
      const lock: Change = { kind: 'file', path: `run/${sandbox}/lock`, content: '', keep: true };
      return [...dirs.map((d): Change => ({ kind: 'dir', path: d })), lock];
    }
    case 'store': {
      const resource = resourceOf(event.resource);
      return [{ kind: 'file', path: storePath(sandbox, event.container ?? '', resource), content: event.payload ?? '', keep: false }];
    }
    case 'delete':
      return (event.resources ?? []).map((r) => ({ kind: 'remove', path: deletePath(sandbox, event.container, resourceOf(r)) }));
    case 'reboot':
      // /run did not survive the reboot: its state describes VMs that no longer exist.
      return [{ kind: 'remove', path: `run/${sandbox}` }];
    case 'checkpoint':
      return [];
    default:
      throw new StoreError('ECORRUPT', `unknown journal op ${JSON.stringify((event as { op: unknown }).op)}`);
  }
}

// IDs are single safe path components, so plain concatenation is a join (and a replay does it a million times).
export function storePath(sandbox: string, container: string, resource: Resource): string {
  return `${rootOf(resource)}/${sandbox}/${container === '' ? '' : `${container}/`}${fileName(resource)}`;
}

/** A delete removes a whole folder: every run-root resource stands for the run folder. */
function deletePath(sandbox: string, container: string | undefined, resource: Resource): string {
  return `${rootOf(resource)}/${sandbox}${container ? `/${container}` : ''}`;
}

import path from 'node:path';
import stringify from 'fast-json-stable-stringify';
import { hashBody, type EventInput, type EventOf, type JournalEvent } from '../journal/record.ts';
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
  /** Files an adopted observation found holding bytes that are not UTF-8 (base64); never also in `files`. */
  readonly binary = new Map<string, string>();
  /**
   * Symbolic links an adopted observation found, by their target: the state
   * holds the link as text, never what it points at, and nothing below it.
   */
  readonly links = new Map<string, string>();

  apply(event: JournalEvent): void {
    if (event.op === 'observe') {
      this.observe(event);
      return;
    }
    for (const change of changesOf(event)) {
      if (change.kind === 'dir') this.addDir(change.path);
      else if (change.kind === 'file')
        this.setFile(change.path, change.content.toString(), change.keep); // events carry text
      else this.remove(change.path);
    }
  }

  /** SHA-256 of the model's canonical JSON: what a checkpoint event commits to. */
  digest(): string {
    return hashBody(Buffer.from(stringify(this.toJSON())));
  }

  toJSON(): ModelState {
    const state: ModelState = {
      dirs: [...this.dirs].sort(),
      files: Object.fromEntries(this.files),
      removed: [...this.removed].sort(),
    };
    // Only when there is some, so the digest of every model without one is what it always was.
    if (this.binary.size > 0) state.binary = Object.fromEntries(this.binary);
    if (this.links.size > 0) state.links = Object.fromEntries(this.links);
    return state;
  }

  /** What the state holds at a tree path: a file's bytes, a folder, or nothing (an adopted link is in `links`). */
  at(treePath: string): Buffer | 'dir' | undefined {
    const text = this.files.get(treePath);
    if (text !== undefined) return Buffer.from(text, 'utf8');
    const raw = this.binary.get(treePath);
    if (raw !== undefined) return Buffer.from(raw, 'base64');
    return this.dirs.has(treePath) ? 'dir' : undefined;
  }

  /** An observation changes the state only when it was adopted; a restored one is history only. */
  private observe(event: EventOf<'observe'>): void {
    if (event.policy !== 'adopt') return;
    if (event.found === 'dir') {
      this.remove(event.path, { keepDirs: true });
      this.addDir(event.path);
    } else if (event.found === 'link') {
      // What was below a folder swapped for a link is out of reach: the state holds the link alone.
      this.remove(event.path);
      this.links.set(event.path, event.target ?? '');
    } else if (event.found === 'absent') {
      this.remove(event.path);
    } else if (event.bytes !== undefined) {
      this.remove(event.path);
      this.setFile(event.path, '', false);
      this.files.delete(event.path);
      this.binary.set(event.path, event.bytes);
    } else {
      this.remove(event.path);
      this.setFile(event.path, event.payload ?? '', false);
    }
  }

  static from(state: ModelState): TreeModel {
    const model = new TreeModel();
    for (const dir of state.dirs) model.dirs.add(dir);
    for (const [file, content] of Object.entries(state.files)) model.files.set(file, content);
    for (const dir of state.removed) model.removed.add(dir);
    for (const [file, raw] of Object.entries(state.binary ?? {})) model.binary.set(file, raw);
    for (const [link, target] of Object.entries(state.links ?? {})) model.links.set(link, target);
    return model;
  }

  private addDir(dir: string): void {
    this.dirs.add(dir);
    if (this.links.size > 0) this.links.delete(dir);
    if (this.removed.size > 0)
      for (const r of this.removed) if (dir === r || dir.startsWith(`${r}/`)) this.removed.delete(r);
  }

  private setFile(file: string, content: string, keep: boolean): void {
    if (keep && (this.files.has(file) || this.binary.has(file))) return;
    this.binary.delete(file);
    this.links.delete(file);
    this.files.set(file, content);
    for (let dir = path.posix.dirname(file); dir.includes('/'); dir = path.posix.dirname(dir)) this.addDir(dir);
  }

  /** Drops a path and all below it; `keepDirs` drops only the files at and below it (an observed folder replaced a file). */
  private remove(prefix: string, options: { keepDirs?: boolean } = {}): void {
    const under = (p: string) => p === prefix || p.startsWith(`${prefix}/`);
    let existed = false;
    if (!options.keepDirs) for (const dir of this.dirs) if (under(dir)) existed = this.dirs.delete(dir) || existed;
    for (const file of this.files.keys())
      if (under(file) && !(options.keepDirs && file !== prefix)) existed = this.files.delete(file) || existed;
    for (const file of this.binary.keys())
      if (under(file) && !(options.keepDirs && file !== prefix)) existed = this.binary.delete(file) || existed;
    // A link is never vcstore's folder: dropping it leaves nothing for a rebuild to remove.
    for (const link of this.links.keys())
      if (under(link) && !(options.keepDirs && link !== prefix)) this.links.delete(link);
    if (options.keepDirs) return;
    for (const r of this.removed) if (under(r)) this.removed.delete(r);
    if (existed) this.removed.add(prefix);
  }
}

/** A model as a checkpoint stores it. */
export interface ModelState {
  dirs: string[];
  files: Record<string, string>;
  removed: string[];
  /** files adopted with bytes that are not UTF-8, base64; absent when there are none */
  binary?: Record<string, string> | undefined;
  /** links adopted as found, path → target; absent when there are none */
  links?: Record<string, string> | undefined;
}

/** One step of an event's effect on the tree, in the order it is carried out. */
export type Change =
  | { kind: 'dir'; path: string }
  | { kind: 'file'; path: string; content: string | Buffer; keep: boolean }
  | { kind: 'remove'; path: string };

/** The effect of an event, as tree paths; the projector and the model share it. */
export function changesOf(event: EventInput): Change[] {
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
      return [
        {
          kind: 'file',
          path: storePath(sandbox, event.container ?? '', resource),
          content: event.payload ?? '',
          keep: false,
        },
      ];
    }
    case 'delete':
      return (event.resources ?? []).map((r) => ({
        kind: 'remove',
        path: deletePath(sandbox, event.container, resourceOf(r)),
      }));
    case 'reboot':
      // /run did not survive the reboot: its state describes VMs that no longer exist.
      return [{ kind: 'remove', path: `run/${sandbox}` }];
    case 'checkpoint':
      return [];
    case 'observe':
      // An observation records what the disk already holds: nothing to carry out (a restore is a reconcile,
      // which replaces a link in the journal's way by its file or folder, never writing through it).
      return [];
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

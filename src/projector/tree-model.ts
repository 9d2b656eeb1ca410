import path from 'node:path';
import type { JournalEvent } from '../journal/record.ts';
import { fileName, resourceOf, rootOf, type Resource } from '../layout/resources.ts';

/**
 * What the legacy tree holds according to the journal: the folders vcstore
 * made and the bytes of every file it wrote. Keys are tree paths,
 * `config/<sandbox>[/<container>]…` or `run/<sandbox>[/<container>]…`.
 */
export class TreeModel {
  readonly dirs = new Set<string>();
  readonly files = new Map<string, string>();

  apply(event: JournalEvent): void {
    for (const change of changesOf(event)) {
      if (change.kind === 'dir') this.dirs.add(change.path);
      else if (change.kind === 'file') this.setFile(change.path, change.content, change.keep);
      else this.remove(change.path);
    }
  }

  private setFile(file: string, content: string, keep: boolean): void {
    if (keep && this.files.has(file)) return;
    this.files.set(file, content);
    for (let dir = path.posix.dirname(file); dir.includes('/'); dir = path.posix.dirname(dir)) this.dirs.add(dir);
  }

  private remove(prefix: string): void {
    const under = (p: string) => p === prefix || p.startsWith(`${prefix}/`);
    for (const dir of this.dirs) if (under(dir)) this.dirs.delete(dir);
    for (const file of this.files.keys()) if (under(file)) this.files.delete(file);
  }
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
    default:
      throw new Error(`unknown journal op ${JSON.stringify(event.op)}`);
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

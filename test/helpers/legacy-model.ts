/**
 * An in-memory model of the legacy filesystem storage (filesystem.go) with
 * vcstore's documented changes (docs/compatibility.md): which folders exist
 * and which file holds which bytes. It knows nothing of the journal except
 * that every write whose arguments pass their checks takes the sandbox's
 * writer lock beside the journal, so the journal root's parents appear.
 * Paths are relative to the prefix that rootsUnder() lays out.
 */
import path from 'node:path';
import { fileName, resourceOf, rootOf, type Resource } from '../../src/layout/resources.ts';
import { decodePayload, encodePayload, type PayloadType } from '../../src/legacy/payloads.ts';
import { modeHere } from './fixtures.ts';
import type { Snapshot } from './tree.ts';

const ROOTS = { config: 'var/lib/virtcontainers/sandboxes', run: 'run/virtcontainers/sandboxes' };
/** The journal folder is left out of every comparison; its parents are not. */
const JOURNAL_PARENT = 'var/lib/virtcontainers';
export const JOURNAL_DIR = `${JOURNAL_PARENT}/journal`;

export type Outcome = { ok: true; value?: unknown } | { ok: false; code: string; message?: string };
type Kind = 'dir' | 'file' | 'missing' | 'notdir';

const reasons = { ENOENT: 'no such file or directory', ENOTDIR: 'not a directory', EISDIR: 'is a directory' };
const failed = (err: unknown): Outcome => ({ ok: false, code: (err as { code: string }).code });

export class LegacyModel {
  /** Folders (`null`) and files (their bytes). */
  readonly nodes = new Map<string, string | null>();
  /** Successful writes per sandbox: its journal's sequence number. */
  readonly seqs = new Map<string, number>();

  constructor(private readonly root: string) {}

  create(sandbox: string, containers: string[]): Outcome {
    this.takeWriterLock();
    const dirs = [this.dir('run', sandbox), this.dir('config', sandbox)];
    for (const c of containers) dirs.push(this.dir('run', sandbox, c), this.dir('config', sandbox, c));
    // MkdirAll's rule, checked for every folder before any is made.
    for (const dir of dirs) {
      const blocker = this.firstNonDir(dir);
      if (blocker) return { ok: false, code: 'ENOTDIR', message: `mkdir ${this.abs(blocker)}: not a directory` };
    }
    for (const dir of dirs) this.mkdirAll(dir);
    const lock = `${this.dir('run', sandbox)}/lock`;
    if (!this.nodes.has(lock)) this.nodes.set(lock, '');
    return this.wrote(sandbox);
  }

  store(sandbox: string, container: string, resource: Resource, type: PayloadType, value: unknown): Outcome {
    this.takeWriterLock();
    const file = `${this.dir(rootOf(resource), sandbox, container)}/${fileName(resource)}`;
    const dir = this.kind(path.posix.dirname(file));
    if (dir !== 'dir') return this.osFailure(dir === 'missing' ? 'ENOENT' : 'ENOTDIR', file);
    if (this.kind(file) === 'dir') return this.osFailure('EISDIR', file);
    let bytes: string;
    try {
      bytes = encodePayload(type, value);
    } catch (err) {
      return failed(err);
    }
    this.nodes.set(file, bytes);
    return this.wrote(sandbox);
  }

  /** `null` means config and state; each resource removes a whole folder. */
  delete(sandbox: string, container: string | undefined, resources: unknown[] | null): Outcome {
    this.takeWriterLock();
    for (const r of resources ?? ['config', 'state'])
      this.removeAll(this.dir(rootOf(resourceOf(r)), sandbox, container ?? ''));
    return this.wrote(sandbox);
  }

  fetch(sandbox: string, container: string, resource: Resource, type: PayloadType): Outcome {
    const file = `${this.dir(rootOf(resource), sandbox, container)}/${fileName(resource)}`;
    const kind = this.kind(file);
    if (kind !== 'file')
      return this.osFailure(kind === 'missing' ? 'ENOENT' : kind === 'dir' ? 'EISDIR' : 'ENOTDIR', file);
    try {
      return { ok: true, value: decodePayload(type, this.nodes.get(file)!) };
    } catch (err) {
      return failed(err);
    }
  }

  /** Every file, sorted: what a fault may damage. */
  files(): string[] {
    return [...this.nodes]
      .filter(([, v]) => v !== null)
      .map(([p]) => p)
      .sort();
  }

  /** The sandbox, container ('' at sandbox level) and resource of a file of the legacy tree. */
  locate(file: string): { sandbox: string; container: string; resource: Resource } {
    const root = file.startsWith(ROOTS.run) ? ROOTS.run : ROOTS.config;
    const parts = file.slice(root.length + 1).split('/');
    const name = parts.pop()!;
    const resource = name === 'lock' ? 'lock' : resourceOf(name.replace(/\.json$/, ''));
    return { sandbox: parts[0] ?? '', container: parts[1] ?? '', resource };
  }

  /** The tree as snapshot() reads it: folders 0750 and files 0666, minus the umask. */
  tree(): Snapshot {
    const [fileMode, dirMode] = [modeHere('0644'), modeHere('0750')];
    const out: Snapshot = new Map();
    for (const [p, content] of this.nodes) {
      out.set(p, content === null ? { kind: 'dir', mode: dirMode } : { kind: 'file', mode: fileMode, content });
    }
    return out;
  }

  /** A write, or seq(), holds the sandbox's writer lock: the journal root is made. */
  takeWriterLock(): void {
    this.mkdirAll(JOURNAL_PARENT);
  }

  private wrote(sandbox: string): Outcome {
    this.seqs.set(sandbox, (this.seqs.get(sandbox) ?? 0) + 1);
    return { ok: true };
  }

  private dir(root: 'config' | 'run', sandbox: string, container = ''): string {
    return path.posix.join(ROOTS[root], sandbox, container);
  }

  private abs(p: string): string {
    return path.join(this.root, p);
  }

  private osFailure(code: keyof typeof reasons, file: string): Outcome {
    return { ok: false, code, message: `open ${this.abs(file)}: ${reasons[code]}` };
  }

  /** What stat would say: the first missing or non-folder component decides. */
  private kind(p: string): Kind {
    const parts = p.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const node = this.nodes.get(parts.slice(0, i).join('/'));
      if (node === undefined) return 'missing';
      if (node !== null && i < parts.length) return 'notdir';
      if (i === parts.length) return node === null ? 'dir' : 'file';
    }
    return 'missing';
  }

  private firstNonDir(p: string): string | undefined {
    const parts = p.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      const node = this.nodes.get(prefix);
      if (node === undefined) return undefined;
      if (node !== null) return prefix;
    }
    return undefined;
  }

  private mkdirAll(p: string): void {
    const parts = p.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      if (!this.nodes.has(prefix)) this.nodes.set(prefix, null);
    }
  }

  private removeAll(p: string): void {
    for (const key of this.nodes.keys()) if (key === p || key.startsWith(`${p}/`)) this.nodes.delete(key);
  }
}

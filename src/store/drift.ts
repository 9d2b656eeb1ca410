import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { DriftPolicy, EventInput } from '../journal/record.ts';
import { fileName, RESOURCES, rootOf, type Resource } from '../layout/resources.ts';
import type { Roots } from '../layout/roots.ts';
import { decodePayload } from '../legacy/payloads.ts';
import { payloadType } from '../legacy/resource-type.ts';
import { TEMP_MARK } from '../projector/atomic-write.ts';
import { diskPath } from '../layout/tree-path.ts';
import type { TreeModel } from '../projector/tree-model.ts';

export type { DriftPolicy } from '../journal/record.ts';
export { DRIFT_POLICIES } from '../journal/record.ts';

/** What a tree path held: a file's bytes, a folder, or nothing (`null`). */
export type Held = Buffer | 'dir' | null;

/**
 * What each tree path held before the last event that changed it. A path
 * found holding exactly that is an event whose writer died before carrying
 * it out (or one this writer has still to carry out): a pending projection,
 * not an outside write.
 */
export type Before = Map<string, Held>;

/**
 * The `observe` events for every path at or below `scopes` (tree paths of
 * one sandbox) where the disk differs from the journal's state and the
 * difference is not a pending projection: parents before children, and
 * nothing below a folder found absent (its absence says it all). The temp
 * files of atomic writes and the content of a held `lock` are never drift.
 */
export async function driftEvents(
  roots: Roots,
  model: TreeModel,
  known: { before: Before; leftInPlace: Before },
  sandbox: string,
  scopes: Iterable<string>,
  policy: DriftPolicy,
): Promise<EventInput[]> {
  const onDisk = new Map<string, Held | 'other'>();
  const candidates = new Set<string>();
  for (const scope of new Set(scopes)) {
    walk(roots, scope, onDisk);
    candidates.add(scope);
    for (const p of onDisk.keys()) if (under(p, scope)) candidates.add(p);
    for (const p of [...model.dirs, ...model.files.keys(), ...model.binary.keys()])
      if (under(p, scope)) candidates.add(p);
  }
  const events: EventInput[] = [];
  const gone: string[] = [];
  for (const treePath of [...candidates].sort()) {
    if (path.posix.basename(treePath).includes(TEMP_MARK)) continue;
    if (gone.some((g) => under(treePath, g)) || insideLock(model, treePath)) continue;
    const found = onDisk.get(treePath) ?? null;
    if (found === 'other') continue; // a link or device: never written by either side; verify reports it
    // A container named `lock` is a folder where the lock file would be: the projector accepts it, so does this.
    const held = found === 'dir' && model.dirs.has(treePath) ? 'dir' : (model.at(treePath) ?? null);
    if (same(found, held, treePath) || isPending(known.before, model, treePath, found)) continue;
    // Already recorded, and left in place as restore does with what the journal does not hold.
    const left = known.leftInPlace.get(treePath);
    if (held === null && left !== undefined && same(found, left, treePath)) continue;
    if (found === null) gone.push(treePath);
    events.push(observation(sandbox, treePath, found, policy));
  }
  return events;
}

/** One `observe` event: the exact bytes (UTF-8 as text, anything else as base64), a folder, or nothing. */
export function observation(sandbox: string, treePath: string, found: Held, policy: DriftPolicy): EventInput {
  const where = resourceAt(treePath);
  const base: EventInput = {
    op: 'observe',
    sandbox,
    path: treePath,
    policy,
    found: found === null ? 'absent' : found === 'dir' ? 'dir' : 'file',
  };
  if (where?.container !== undefined) base.container = where.container;
  if (where !== undefined) base.resource = where.resource;
  if (!Buffer.isBuffer(found)) return base;
  const text = found.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(found))
    return {
      ...base,
      bytes: found.toString('base64'),
      ...(where && where.resource !== 'lock' ? { parsed: false } : {}),
    };
  if (where === undefined || where.resource === 'lock') return { ...base, payload: text };
  return { ...base, payload: text, parsed: parses(where.resource, where.container, text) };
}

/** The resource a tree path names, when it is one of the legacy files in its place. */
export function resourceAt(treePath: string): { resource: Resource; container?: string } | undefined {
  const parts = treePath.split('/');
  if (parts.length !== 3 && parts.length !== 4) return undefined;
  const resource = RESOURCES.find((r) => fileName(r) === parts[parts.length - 1]);
  if (resource === undefined || rootOf(resource) !== parts[0]) return undefined;
  const container = parts.length === 4 ? parts[2] : undefined;
  return container === undefined ? { resource } : { resource, container };
}

function parses(resource: Resource, container: string | undefined, text: string): boolean {
  try {
    decodePayload(payloadType(resource, container), text);
    return true;
  } catch {
    return false; // torn (empty, cut short) or not the Go type: the observation keeps the bytes either way
  }
}

function same(found: Held, held: Held, treePath: string): boolean {
  if (found === null || held === null || found === 'dir' || held === 'dir') return found === held;
  return treePath.endsWith('/lock') || found.equals(held); // a held lock may hold anything
}

/** The disk holds what the path held before its last event: that event is still to be carried out. */
function isPending(before: Before, model: TreeModel, treePath: string, found: Held): boolean {
  const prior = before.get(treePath);
  if (prior !== undefined && same(found, prior, treePath)) return true;
  // Below a folder an event removed: the removal is still to be carried out.
  for (let p = path.posix.dirname(treePath); p.includes('/'); p = path.posix.dirname(p)) {
    if (before.get(p) === 'dir' && model.at(p) === undefined) return true;
  }
  return false;
}

/** Whatever is inside a held lock folder belongs to the lock's holder. */
function insideLock(model: TreeModel, treePath: string): boolean {
  for (let p = path.posix.dirname(treePath); p.includes('/'); p = path.posix.dirname(p))
    if (p.endsWith('/lock') && model.files.has(p)) return true;
  return false;
}

const under = (p: string, scope: string) => p === scope || p.startsWith(`${scope}/`);

/** Small files in the page cache, read on every store's path: synchronous calls cost microseconds, not a thread-pool round trip. */
function walk(roots: Roots, treePath: string, out: Map<string, Held | 'other'>): void {
  const file = diskPath(roots, treePath);
  const info = tryIo(() => lstatSync(file));
  if (!info) return;
  if (info.isFile()) {
    const bytes = tryIo(() => readFileSync(file));
    if (bytes) out.set(treePath, bytes);
    return;
  }
  if (!info.isDirectory()) {
    out.set(treePath, 'other');
    return;
  }
  out.set(treePath, 'dir');
  for (const name of tryIo(() => readdirSync(file)) ?? []) walk(roots, `${treePath}/${name}`, out);
}

function tryIo<T>(io: () => T): T | undefined {
  try {
    return io();
  } catch (err) {
    return missing(err as NodeJS.ErrnoException);
  }
}

/** Gone between listing and reading (the legacy writer is live): absent; every other error is raised. */
function missing(err: NodeJS.ErrnoException): undefined {
  if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
  throw err;
}

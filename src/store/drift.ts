import { closeSync } from 'node:fs';
import path from 'node:path';
import type { DriftPolicy, EventInput } from '../journal/record.ts';
import { fileName, RESOURCES, rootOf, type Resource } from '../layout/resources.ts';
import type { Roots } from '../layout/roots.ts';
import { decodePayload } from '../legacy/payloads.ts';
import { payloadType } from '../legacy/resource-type.ts';
import { TEMP_MARK } from '../projector/atomic-write.ts';
import { diskPath } from '../layout/tree-path.ts';
import { isLink, namesIn, openDirBelow, readEntry, type Found } from '../fs/no-follow.ts';
import type { TreeModel } from '../projector/tree-model.ts';

export type { DriftPolicy } from '../journal/record.ts';
export { DRIFT_POLICIES } from '../journal/record.ts';

/** What a tree path held: a file's bytes, a folder, a link (by its target), or nothing (`null`). */
export type Held = Buffer | 'dir' | { link: string } | null;

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
  const onDisk = new Map<string, Found>();
  const scopeSet = new Set(scopes);
  // Everything walked is at or below a scope, or a link above one (what a scope is found behind).
  for (const scope of scopeSet) walk(roots, scope, onDisk);
  const candidates = new Set([...scopeSet, ...onDisk.keys()]);
  for (const p of [...model.dirs, ...model.files.keys(), ...model.binary.keys(), ...model.links.keys()])
    if (inScope(p, scopeSet)) candidates.add(p);
  const events: EventInput[] = [];
  const gone = new Set<string>();
  for (const treePath of [...candidates].sort()) {
    if (path.posix.basename(treePath).includes(TEMP_MARK)) continue;
    if (inScope(treePath, gone) || insideLock(model, treePath)) continue;
    const found = onDisk.get(treePath) ?? null;
    if (found === 'other') continue; // a device, a socket: never written by either side; verify reports it
    const link = model.links.get(treePath);
    // A container named `lock` is a folder where the lock file would be: the projector accepts it, so does this.
    const held =
      link !== undefined
        ? { link }
        : found === 'dir' && model.dirs.has(treePath)
          ? 'dir'
          : (model.at(treePath) ?? null);
    if (same(found, held, treePath) || isPending(known.before, model, treePath, found)) continue;
    // Already recorded, and left in place as restore does with what the journal does not hold.
    const left = known.leftInPlace.get(treePath);
    if (held === null && left !== undefined && same(found, left, treePath)) continue;
    // Nothing below a path found absent or a link is looked at: its absence, or the link, says it all.
    if (found === null || isLink(found)) gone.add(treePath);
    events.push(observation(sandbox, treePath, found, policy));
  }
  return events;
}

/** One `observe` event: the exact bytes (UTF-8 as text, anything else as base64), a folder, a link's target, or nothing. */
export function observation(sandbox: string, treePath: string, found: Held, policy: DriftPolicy): EventInput {
  const where = resourceAt(treePath);
  const base: EventInput = {
    op: 'observe',
    sandbox,
    path: treePath,
    policy,
    found: found === null ? 'absent' : found === 'dir' ? 'dir' : isLink(found) ? 'link' : 'file',
  };
  if (where?.container !== undefined) base.container = where.container;
  if (where !== undefined) base.resource = where.resource;
  if (isLink(found)) return { ...base, target: found.link };
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
  if (isLink(found) || isLink(held)) return isLink(found) && isLink(held) && found.link === held.link;
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

/** `p` is one of `scopes` or below one (tree paths are at most five components deep). */
function inScope(p: string, scopes: ReadonlySet<string>): boolean {
  if (scopes.size === 0) return false;
  for (let q = p; q.includes('/'); q = path.posix.dirname(q)) if (scopes.has(q)) return true;
  return false;
}

/**
 * What is at and below a tree path, read without following a link in any
 * component below the roots (a link above the path is recorded in its place).
 * Small files in the page cache, read on every store's path: synchronous
 * calls cost microseconds, not a thread-pool round trip.
 */
function walk(roots: Roots, treePath: string, out: Map<string, Found>): void {
  diskPath(roots, treePath); // refuses a path that is not below the roots (`..`, an empty component)
  const [side, ...parts] = treePath.split('/');
  const name = parts.pop();
  if ((side !== 'config' && side !== 'run') || name === undefined) return;
  const opened = openDirBelow(roots[side], parts);
  if ('stop' in opened) {
    if (isLink(opened.found)) out.set([side, ...parts.slice(0, opened.stop + 1)].join('/'), opened.found);
    return;
  }
  try {
    visit(opened.fd, name, treePath, out);
  } finally {
    closeSync(opened.fd);
  }
}

function visit(dirFd: number, name: string, treePath: string, out: Map<string, Found>): void {
  const found = readEntry(dirFd, name, (fd) => {
    for (const child of namesIn(fd)) visit(fd, child, `${treePath}/${child}`, out);
  });
  if (found !== null) out.set(treePath, found);
}

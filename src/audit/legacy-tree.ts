import type { Dirent } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { isStoreError, osError } from '../errors.ts';
import { checkId } from '../layout/ids.ts';
import { RESOURCES, fileName, type Resource } from '../layout/resources.ts';
import type { Roots } from '../layout/roots.ts';
import { decodePayload, type PayloadType } from '../legacy/payloads.ts';
import { payloadType } from '../legacy/resource-type.ts';
import { ifExists, isMissing } from '../fs/missing.ts';

/** A legacy file that is adopted: its exact bytes, already known to decode. */
export interface LegacyFile {
  container?: string;
  resource: Resource;
  payload: string;
}

/** Something in a legacy sandbox folder that is not adopted, and why. */
export interface Skipped {
  path: string;
  why: string;
}

/** What a legacy sandbox holds: which of its folders exist, its containers and its files. */
export interface LegacySandbox {
  id: string;
  config: boolean;
  run: boolean;
  /** each container folder found, and in which roots */
  containers: Map<string, { config: boolean; run: boolean }>;
  files: LegacyFile[];
  skipped: Skipped[];
}

/** The resources each folder may hold, as the legacy store methods allowed them. */
const ALLOWED: Record<'config' | 'run', { sandbox: Resource[]; container: Resource[] }> = {
  config: { sandbox: ['config'], container: ['config'] },
  run: {
    sandbox: ['state', 'network', 'hypervisor', 'agent', 'process', 'mounts', 'devices'],
    container: ['state', 'network', 'process', 'mounts', 'devices'],
  },
};

/** Every sandbox folder name under either legacy root, in byte order. */
export async function legacySandboxIds(roots: Roots): Promise<string[]> {
  const names = new Set<string>();
  for (const root of [roots.config, roots.run])
    for (const e of (await entries(root)) ?? []) if (e.isDirectory()) names.add(e.name);
  return [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** Reads one legacy sandbox; a file that does not decode as its type is skipped, never guessed at. */
export async function readLegacySandbox(roots: Roots, id: string): Promise<LegacySandbox> {
  const sandbox: LegacySandbox = { id, config: false, run: false, containers: new Map(), files: [], skipped: [] };
  for (const side of ['config', 'run'] as const) {
    const dir = path.join(roots[side], id);
    const kind = await ifExists(dir, lstat(dir), 'lstat');
    if (kind === undefined) continue;
    if (!kind.isDirectory()) {
      sandbox.skipped.push({ path: dir, why: 'not a folder' });
      continue;
    }
    sandbox[side] = true;
    for (const entry of (await entries(dir)) ?? []) await readEntry(sandbox, side, dir, entry, undefined);
  }
  return sandbox;
}

async function readEntry(
  sandbox: LegacySandbox,
  side: 'config' | 'run',
  dir: string,
  entry: Dirent,
  container?: string,
) {
  const file = path.join(dir, entry.name);
  // The lock belongs to whoever holds it, whatever it is (Go kept even a folder there).
  if (side === 'run' && container === undefined && entry.name === 'lock') return;
  if (entry.isDirectory() && container === undefined) return readContainer(sandbox, side, file, entry.name);
  const resource = RESOURCES.find((r) => fileName(r) === entry.name);
  const allowed = ALLOWED[side][container === undefined ? 'sandbox' : 'container'];
  if (!entry.isFile() || resource === undefined || !allowed.includes(resource)) {
    sandbox.skipped.push({ path: file, why: 'not a legacy resource file' });
    return;
  }
  const payload = await validPayload(file, payloadType(resource, container));
  if (typeof payload === 'string')
    sandbox.files.push(container === undefined ? { resource, payload } : { container, resource, payload });
  else sandbox.skipped.push({ path: file, why: payload.why });
}

async function readContainer(sandbox: LegacySandbox, side: 'config' | 'run', dir: string, container: string) {
  try {
    checkId('container', container);
  } catch (err) {
    sandbox.skipped.push({ path: dir, why: (err as Error).message });
    return;
  }
  const sides = sandbox.containers.get(container) ?? { config: false, run: false };
  sandbox.containers.set(container, { ...sides, [side]: true });
  for (const entry of (await entries(dir)) ?? []) await readEntry(sandbox, side, dir, entry, container);
}

/** The file's text when it is UTF-8 that decodes as `type`; otherwise why not. */
async function validPayload(file: string, type: PayloadType): Promise<string | { why: string }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    return { why: `cannot read: ${(err as Error).message}` };
  }
  const text = bytes.toString('utf8');
  // A payload is a string: bytes that are not UTF-8 could not be written back as they were.
  if (!Buffer.from(text, 'utf8').equals(bytes)) return { why: 'not UTF-8' };
  try {
    decodePayload(type, text);
    return text;
  } catch (err) {
    const code = isStoreError(err) ? `${err.code}: ` : '';
    return { why: `does not decode as ${type}: ${code}${(err as Error).message}` };
  }
}

/** A folder's entries in byte order; undefined when it does not exist or is not a folder. */
async function entries(dir: string): Promise<Dirent[] | undefined> {
  try {
    const found = await readdir(dir, { withFileTypes: true });
    return found.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw osError('open', dir, err);
  }
}

import { statSync } from 'node:fs';
import path from 'node:path';
import { errInvalidDataType, errInvalidResource, errNotDir, osError } from '../errors.ts';
import type { Looks } from '../fs/looks.ts';
import type { Resource } from '../layout/resources.ts';
import type { PayloadType } from '../legacy/payloads.ts';
import { firstBlocker, unsafeLink } from '../projector/safe-path.ts';

/** A value with its Go type, as an `interface{}` argument carries one. */
export interface Typed {
  type: string;
  value: unknown;
}

/** The legacy store type switch: the Go types each resource takes (`config` takes either config). */
export const STORABLE = {
  config: ['SandboxConfig', 'ContainerConfig'],
  state: ['State'],
  network: ['NetworkNamespace'],
  process: ['Process'],
  mounts: ['[]Mount'],
  devices: ['[]Device'],
} as const satisfies Partial<Record<Resource, readonly PayloadType[]>>;

/** The same switch read the other way: the resource each of those Go types goes into. */
const SLOT_OF = new Map<string, Resource>(
  Object.entries(STORABLE).flatMap(([resource, types]) => types.map((type) => [type, resource as Resource])),
);

/**
 * A known type in the wrong slot is "Invalid sandbox resource"; any other type
 * (a pointer, a map, nil, a string, hypervisor state…) is "Invalid resource data type".
 */
export function checkDataType(data: unknown, resource: Resource): PayloadType {
  const type = typeof data === 'object' && data !== null ? (data as Typed).type : undefined;
  const slot = typeof type === 'string' ? SLOT_OF.get(type) : undefined;
  if (slot === undefined) throw errInvalidDataType();
  if (slot !== resource) throw errInvalidResource();
  return type as PayloadType;
}

/**
 * What os.Create would refuse (a missing folder, a folder in the file's
 * place), and a planted link. The file's own look is the group's: its drift
 * check and its projection use the same one.
 */
export function checkWritable(root: string, file: string, looks: Looks): void {
  const blocker = firstBlocker(root, path.dirname(file));
  if (blocker?.kind === 'symlink') throw unsafeLink(blocker.path);
  if (blocker) {
    checkRoot(root, 'open', file); // a root that is a file explains it better
    throw osError('open', file, { code: blocker.kind === 'missing' ? 'ENOENT' : 'ENOTDIR' });
  }
  if (looks.at(file)?.isDirectory()) throw osError('open', file, { code: 'EISDIR' });
}

/**
 * What MkdirAll would refuse: the first existing path component that is not
 * a folder. Checked before anything is made, so a failed create makes nothing.
 */
export function checkCanMkdir(root: string, dir: string): void {
  checkRoot(root, 'mkdir');
  const blocker = firstBlocker(root, dir);
  if (blocker?.kind === 'symlink') throw unsafeLink(blocker.path);
  if (blocker?.kind === 'file') throw notADirectory(blocker.path);
}

/** The root and its parents may be links, but must lead to folders (or not exist yet). */
function checkRoot(root: string, op: 'open' | 'mkdir', file?: string): void {
  let current: string = path.sep;
  for (const part of root.split(path.sep).filter(Boolean)) {
    current = path.join(current, part);
    const info = statSync(current, { throwIfNoEntry: false });
    if (info === undefined) return;
    if (!info.isDirectory())
      throw op === 'mkdir' ? notADirectory(current) : osError('open', file ?? current, { code: 'ENOTDIR' });
  }
}

const notADirectory = (p: string) => errNotDir(`mkdir ${p}: not a directory`, { file: p });

/** A delete must not reach through a link planted above the folder it removes (the folder itself may be a link: only the link goes). */
export function checkNoLinkAbove(root: string, dir: string): void {
  const blocker = firstBlocker(root, path.dirname(dir));
  if (blocker?.kind === 'symlink') throw unsafeLink(blocker.path);
}

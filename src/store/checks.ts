import { stat } from 'node:fs/promises';
import path from 'node:path';
import { errInvalidDataType, errInvalidResource, osError, StoreError } from '../errors.ts';
import type { Resource } from '../layout/resources.ts';
import type { PayloadType } from '../legacy/payloads.ts';

/** A value with its Go type, as an `interface{}` argument carries one. */
export interface Typed {
  type: string;
  value: unknown;
}

/** The legacy store type switch: which Go type may go into which resource. */
const SLOT_OF: Record<string, Resource> = {
  SandboxConfig: 'config',
  ContainerConfig: 'config',
  State: 'state',
  NetworkNamespace: 'network',
  Process: 'process',
  '[]Mount': 'mounts',
  '[]Device': 'devices',
};

/**
 * A known type in the wrong slot is "Invalid sandbox resource"; any other type
 * (a pointer, a map, nil, a string, hypervisor state…) is "Invalid resource data type".
 */
export function checkDataType(data: unknown, resource: Resource): PayloadType {
  const type = typeof data === 'object' && data !== null ? (data as Typed).type : undefined;
  const slot = typeof type === 'string' && Object.hasOwn(SLOT_OF, type) ? SLOT_OF[type] : undefined;
  if (slot === undefined) throw errInvalidDataType();
  if (slot !== resource) throw errInvalidResource();
  return type as PayloadType;
}

/** What os.Create would refuse: a missing folder, a folder in the file's place. */
export async function checkWritable(file: string): Promise<void> {
  const dir = await stat(path.dirname(file)).catch((err) => {
    throw osError('open', file, err);
  });
  if (!dir.isDirectory()) throw osError('open', file, { code: 'ENOTDIR' });
  const target = await stat(file).catch(() => undefined);
  if (target?.isDirectory()) throw osError('open', file, { code: 'EISDIR' });
}

/**
 * What MkdirAll would refuse: the first existing path component that is not
 * a folder. Checked before anything is made, so a failed create makes nothing.
 */
export async function checkCanMkdir(dir: string): Promise<void> {
  const parts = path.resolve(dir).split(path.sep).filter(Boolean);
  let current: string = path.sep;
  for (const part of parts) {
    current = path.join(current, part);
    const info = await stat(current).catch(() => undefined);
    if (info === undefined) return;
    if (!info.isDirectory()) {
      throw new StoreError('ENOTDIR', `mkdir ${current}: not a directory`, { file: current });
    }
  }
}

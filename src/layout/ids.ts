import { errUnsafeId } from '../errors.ts';

const SAFE = /^[A-Za-z0-9_.+-]+$/;
const MAX_BYTES = 128;

/**
 * The legacy code joined IDs into paths unchecked: `../x` escaped the root and
 * `.` named the sandboxes folder itself. An ID must be one plain path
 * component from runc's character set.
 */
export function checkId(kind: 'sandbox' | 'container', id: string): void {
  const why = unsafeReason(id);
  if (why) throw errUnsafeId(`unsafe ${kind} ID ${JSON.stringify(id)}: ${why}`);
}

export const isSafeId = (id: string): boolean => unsafeReason(id) === undefined;

function unsafeReason(id: string): string | undefined {
  if (typeof id !== 'string') return 'not a string';
  if (id === '') return 'empty';
  if (id === '.' || id === '..') return 'a relative path component';
  if (id.includes('/')) return 'contains "/"';
  if (id.includes('\0')) return 'contains NUL';
  if (Buffer.byteLength(id) > MAX_BYTES) return `longer than ${MAX_BYTES} bytes`;
  if (!SAFE.test(id)) return 'characters outside [A-Za-z0-9_.+-]';
  return undefined;
}

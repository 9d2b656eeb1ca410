/** Zod issues as one readable EPAYLOAD message: `invalid State: blockIndex: expected an integer, got string`. */
import type { z } from 'zod';
import { errPayload, type StoreError } from '../errors.ts';

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out;
}

export function payloadError(type: string, error: z.ZodError): StoreError {
  const issues = error.issues.map((issue) => {
    const where = formatPath(issue.path);
    const message = issue.message.replace(/^Invalid input: /, '');
    return where ? `${where}: ${message}` : message;
  });
  return errPayload(`invalid ${type}: ${issues.join('; ')}`, { cause: error.issues });
}

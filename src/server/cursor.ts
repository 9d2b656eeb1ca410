import { errRequest } from '../errors.ts';
import { isSafeId } from '../layout/ids.ts';

/**
 * The resume cursor of the all-sandboxes stream: the last sequence number
 * delivered for each sandbox, as `sb1:5,sb2:7` (IDs never hold `:` or `,`).
 * A sandbox missing from it is read from its first event.
 */
export type Cursor = Map<string, number>;

export function formatCursor(cursor: Cursor): string {
  return [...cursor].map(([sandbox, seq]) => `${sandbox}:${seq}`).join(',');
}

export function parseCursor(text: string | undefined): Cursor {
  const cursor: Cursor = new Map();
  if (text === undefined || text === '') return cursor;
  for (const part of text.split(',')) {
    const match = /^([^:]+):(\d{1,15})$/.exec(part);
    if (!match?.[1] || !match[2] || !isSafeId(match[1]))
      throw errRequest(`bad cursor part ${JSON.stringify(part)}: expected SANDBOX:SEQ`);
    cursor.set(match[1], Number(match[2]));
  }
  return cursor;
}

import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { errCorrupt, osError } from '../errors.ts';
import { fsyncDir } from '../journal/fsutil.ts';
import type { Roots } from '../layout/roots.ts';

/** Beside the writers' `@locks`, under a name no sandbox ID can take. */
import { SHIP_DIR } from '../layout/journals.ts';
import { errnoOf } from '../fs/missing.ts';

export { SHIP_DIR };

const cursorSchema = z.strictObject({
  stream: z.string(),
  host: z.string(),
  /** the last event the stream acknowledged */
  seq: z.number().int().min(0),
  /** its sequence number in the stream (for the next message's expected-last-subject check) */
  streamSeq: z.number().int().min(0),
  /** why shipping of this sandbox stopped, when it did */
  error: z.strictObject({ code: z.string(), message: z.string() }).optional(),
});

/**
 * How far a sandbox is shipped. The stream is the truth and the cursor may lag
 * it (it is written after the acknowledgement); it must never be ahead, which
 * is how a stream that lost messages is noticed.
 */
export type Cursor = z.infer<typeof cursorSchema>;

export const shipDir = (roots: Roots) => path.join(roots.journal, SHIP_DIR);
const cursorFile = (roots: Roots, sandbox: string) => path.join(shipDir(roots), `${sandbox}.json`);

export async function readCursor(roots: Roots, sandbox: string): Promise<Cursor | undefined> {
  const file = cursorFile(roots, sandbox);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return undefined;
    throw osError('open', file, err);
  }
  const parsed = cursorSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw errCorrupt(`${file}: not a ship cursor`, { file, cause: parsed.error });
  return parsed.data;
}

/** Atomic (temp + rename) and durable, so a crash leaves the old cursor or the new one. */
export async function writeCursor(roots: Roots, sandbox: string, cursor: Cursor): Promise<void> {
  const dir = shipDir(roots);
  const file = cursorFile(roots, sandbox);
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(temp, `${JSON.stringify(cursor)}\n`, { mode: 0o600, flush: true });
    await rename(temp, file);
    await fsyncDir(dir);
  } catch (err) {
    await rm(temp, { force: true });
    throw osError('write', file, err);
  }
}

export async function removeCursor(roots: Roots, sandbox: string): Promise<void> {
  await rm(cursorFile(roots, sandbox), { force: true });
}

/** Whether this root was ever shipped: then prune waits for the stream's acknowledgement. */
export async function shippingConfigured(roots: Roots): Promise<boolean> {
  return readdir(shipDir(roots)).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false;
      throw osError('open', shipDir(roots), err);
    },
  );
}

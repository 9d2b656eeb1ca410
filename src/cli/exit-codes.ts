import { StoreError } from '../errors.ts';

/** Documented in docs/cli.md. */
export const EXIT = {
  ok: 0,
  /** the command ran and found something wrong (an inconsistent tree, a failed op in --strict mode) */
  findings: 1,
  /** a bad command line, or an input file that cannot be read or parsed */
  usage: 2,
  /** the store refused: a corrupt journal, a lock held elsewhere, an I/O error */
  store: 3,
} as const;

export function exitCodeOf(err: unknown): number {
  if (err instanceof StoreError) return err.code === 'EUSAGE' ? EXIT.usage : EXIT.store;
  return EXIT.store;
}

/** A line for stderr: `vcstore: ECORRUPT: <message>`. */
export function describe(err: unknown): string {
  if (err instanceof StoreError) return `vcstore: ${err.code}: ${err.message}`;
  return `vcstore: ${(err as Error)?.message ?? String(err)}`;
}

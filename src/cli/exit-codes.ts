import { CommanderError } from 'commander';
import { type ErrorCode, isStoreError } from '../errors.ts';

/** The exit statuses, documented in docs/cli.md. */
export const EXIT = {
  ok: 0,
  /** the command ran and found something wrong: an inconsistent tree, a refused journal, a failed op in `apply` */
  findings: 1,
  /** a bad command line, an ops file that cannot be read or parsed, a --root or --from that does not exist */
  usage: 2,
  /** the store refused or failed: a corrupt journal, a lock held elsewhere, an unsafe ID, an I/O error */
  store: 3,
} as const;

/** Every code the store can raise, with the status the CLI exits with: a new code must be placed here. */
export const EXIT_OF: Record<ErrorCode, number> = {
  EUSAGE: EXIT.usage,
  ENOROOT: EXIT.usage,
  ENEEDSANDBOXID: EXIT.store,
  ENEEDCONTAINERID: EXIT.store,
  EINVALIDRESOURCE: EXIT.store,
  EINVALIDDATATYPE: EXIT.store,
  EMARSHAL: EXIT.store,
  EUNKNOWNDEVICE: EXIT.store,
  ENOENT: EXIT.store,
  ENOTDIR: EXIT.store,
  EISDIR: EXIT.store,
  EIO: EXIT.store,
  ENOSPC: EXIT.store,
  EDECODE: EXIT.store,
  EINVALIDTARGET: EXIT.store,
  EUNSAFEID: EXIT.store,
  EUNSAFEPATH: EXIT.store,
  EPAYLOAD: EXIT.store,
  EPROJECT: EXIT.store,
  ECORRUPT: EXIT.store,
  ECHAIN: EXIT.store,
  ECONFLICT: EXIT.store,
  ELOCKED: EXIT.store,
  ECOMPROMISED: EXIT.store,
  ESTALE: EXIT.store,
  EEXIST: EXIT.store,
  EREQUEST: EXIT.store,
  ETOOLARGE: EXIT.store,
  ENOROUTE: EXIT.store,
  EMETHOD: EXIT.store,
  EMEDIATYPE: EXIT.store,
  EDAEMON: EXIT.store,
  ESTREAM: EXIT.store,
  EREMOTE: EXIT.store,
  EUNTRUSTED: EXIT.store,
};

export function exitCodeOf(err: unknown): number {
  if (isStoreError(err)) return EXIT_OF[err.code];
  if (err instanceof CommanderError) return EXIT.usage;
  return EXIT.store;
}

/** The code printed for a failure: the store's own, EUSAGE for a bad command line, else the system's or EINTERNAL. */
function codeOf(err: unknown): string {
  if (isStoreError(err)) return err.code;
  if (err instanceof CommanderError) return 'EUSAGE';
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : 'EINTERNAL';
}

/** The one line every failure prints on stderr: `vcstore: ECORRUPT: <message>`. */
export function describe(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  // commander words its own errors "error: unknown option '--x'"
  return `vcstore: ${codeOf(err)}: ${err instanceof CommanderError ? message.replace(/^error: /, '') : message}`;
}

/** For a usage error, one line saying where the usage is described. */
export function usageHint(err: unknown, command: string | undefined): string | undefined {
  if (exitCodeOf(err) !== EXIT.usage) return undefined;
  return `vcstore: see 'vcstore ${command === undefined ? '' : `${command} `}--help'`;
}

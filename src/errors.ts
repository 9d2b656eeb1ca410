/**
 * One error class for the whole store. Callers branch on `code`; `message`
 * keeps the legacy Go text wherever the legacy code had one.
 */
import { invalidUnmarshalText } from './legacy/go-invalid-unmarshal.ts';

export type ErrorCode =
  // the legacy sentinel errors (errors.go) and fmt.Errorf texts (filesystem.go)
  | 'ENEEDSANDBOXID' // Sandbox ID cannot be empty
  | 'ENEEDCONTAINERID' // Container ID cannot be empty
  | 'EINVALIDRESOURCE' // Invalid sandbox resource
  | 'EINVALIDDATATYPE' // Invalid resource data type
  | 'EMARSHAL' // Could not marshall data: …
  | 'EUNKNOWNDEVICE' // Unknown device type, could not unmarshal
  // file system errors, with the legacy "open <path>: <reason>" text
  | 'ENOENT'
  | 'ENOTDIR'
  | 'EISDIR'
  | 'EIO'
  | 'ENOSPC'
  // reading a legacy file back
  | 'EDECODE' // the file is not valid JSON for the requested type
  | 'EINVALIDTARGET' // a fetch target type that cannot receive a value
  // vcstore's own safety rules
  | 'EUNSAFEID' // an ID that is not a safe single path component
  | 'EUNSAFEPATH' // a symbolic link planted inside the legacy tree
  | 'EPAYLOAD' // a payload that fails its schema
  | 'EPROJECT' // the event is durable but the legacy tree could not be updated
  // the journal
  | 'ECORRUPT' // a damaged record before the end of a journal
  | 'ECHAIN' // a record whose sequence or hash does not follow its predecessor
  | 'ECONFLICT' // the sandbox moved past the sequence number the caller expected
  | 'ELOCKED' // another process holds the sandbox
  | 'ECOMPROMISED' // the cross-process lock was lost while writing
  | 'ESTALE' // the journal a writer holds open is no longer the one at its path (pruned or replaced)
  | 'EEXIST' // the sandbox already has events (import)
  | 'EUSAGE' // a bad command line or ops file
  | 'ENOROOT' // a --root (or import's --from) that does not exist, given to a command that only reads it
  // the daemon's API (vcstore serve)
  | 'EREQUEST' // a request that is not valid JSON or fails its schema
  | 'ETOOLARGE' // a request body over the daemon's limit
  | 'ENOROUTE' // no route for this path
  | 'EMETHOD' // the path has routes, but not for this method (405, with Allow)
  | 'EMEDIATYPE' // a request body that is not sent as application/json (415)
  | 'EDAEMON' // the daemon cannot start (another one serves the root, no socket), is stopping, or answered a client without its JSON error
  // shipping to NATS JetStream
  | 'ESTREAM' // the stream does not fit, or its history and the journal disagree
  | 'EREMOTE' // the NATS server cannot be reached or refused a request
  | 'EUNTRUSTED'; // a message from the stream not signed by the trusted key of its host

/** Where an error happened, when it helps; an undefined field is left out. */
export interface ErrorDetails {
  file?: string | undefined;
  offset?: number | undefined;
  seq?: number | undefined;
  cause?: unknown;
}

export class StoreError extends Error {
  readonly code: ErrorCode;
  readonly file?: string;
  readonly offset?: number;
  readonly seq?: number;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'StoreError';
    this.code = code;
    if (details.file !== undefined) this.file = details.file;
    if (details.offset !== undefined) this.offset = details.offset;
    if (details.seq !== undefined) this.seq = details.seq;
  }
}

/** Whether `err` is one of ours, and (if given) of that code. */
export function isStoreError(err: unknown, code?: ErrorCode): err is StoreError {
  return err instanceof StoreError && (code === undefined || err.code === code);
}

/** A factory per code, with its default message (hypercore's errors module is the model). */
const factory =
  (code: ErrorCode, fallback: string) =>
  (message: string = fallback, details?: ErrorDetails): StoreError =>
    new StoreError(code, message, details);

// The legacy Go texts.
export const errNeedSandboxID = () => new StoreError('ENEEDSANDBOXID', 'Sandbox ID cannot be empty');
export const errNeedContainerID = () => new StoreError('ENEEDCONTAINERID', 'Container ID cannot be empty');
export const errInvalidResource = () => new StoreError('EINVALIDRESOURCE', 'Invalid sandbox resource');
export const errInvalidDataType = () => new StoreError('EINVALIDDATATYPE', 'Invalid resource data type');
export const errMarshal = (reason: string) => new StoreError('EMARSHAL', `Could not marshall data: ${reason}`);
export const errUnknownDevice = () => new StoreError('EUNKNOWNDEVICE', 'Unknown device type, could not unmarshal');

export const errIO = factory('EIO', 'input/output error');
export const errNoEntry = factory('ENOENT', 'no such file or directory');
export const errNotDir = factory('ENOTDIR', 'not a directory');
export const errDecode = factory('EDECODE', 'not valid JSON for its type');
/** Go's own text for a nil or non-pointer target (json.InvalidUnmarshalError); the API's name for any other. */
export const errInvalidTarget = (type: string) =>
  new StoreError('EINVALIDTARGET', invalidUnmarshalText(type) ?? `cannot decode into ${JSON.stringify(type)}`);
export const errUnsafeId = factory('EUNSAFEID', 'unsafe ID');
export const errUnsafePath = factory('EUNSAFEPATH', 'refusing a path outside the legacy tree');
export const errPayload = factory('EPAYLOAD', 'invalid payload');
export const errProject = (seq: number, paths: string[], cause: unknown) =>
  new StoreError(
    'EPROJECT',
    `event ${seq} is durable but the legacy tree (${paths.join(', ')}) was not updated: ${messageOf(cause)}`,
    { seq, cause },
  );

export const errCorrupt = factory('ECORRUPT', 'damaged journal record');
export const errChain = factory('ECHAIN', 'record does not follow its predecessor');
export const errConflict = factory('ECONFLICT', 'the sandbox moved past the expected event');
export const errLocked = factory('ELOCKED', 'another process holds the sandbox');
export const errCompromised = factory('ECOMPROMISED', 'the sandbox lock was lost while writing');
export const errStale = factory('ESTALE', 'the journal this writer holds is no longer the one at its path');
export const errExists = factory('EEXIST', 'the sandbox already has events');
export const errUsage = factory('EUSAGE', 'bad usage');
export const errNoRoot = (option: string, dir: string) =>
  new StoreError('ENOROOT', `${option} ${dir} does not exist or is not a folder`, { file: dir });
/** Damage a read-only pass found (`inspectJournal`), raised as the error it was. */
export const errDamage = (damage: { code: ErrorCode; offset?: number | undefined; message: string }, file: string) =>
  new StoreError(damage.code, damage.message, { file, offset: damage.offset });

export const errRequest = (message: string, cause?: unknown) => new StoreError('EREQUEST', message, { cause });
export const errTooLarge = factory('ETOOLARGE', 'request body too large');
export const errNoRoute = factory('ENOROUTE', 'no such route');
export const errMethod = factory('EMETHOD', 'method not allowed on this path');
export const errMediaType = factory('EMEDIATYPE', 'the request body must be application/json');
export const errDaemon = (message: string, cause?: unknown) => new StoreError('EDAEMON', message, { cause });
export const errStream = factory('ESTREAM', 'the stream and the journal disagree');
export const errRemote = factory('EREMOTE', 'the NATS server cannot be reached');
export const errUntrusted = factory('EUNTRUSTED', 'a message not signed by the trusted key of its host');

/** An error's message, whatever was thrown. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const osReasons: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error',
  EACCES: 'permission denied',
  EROFS: 'read-only file system',
  ELOOP: 'too many levels of symbolic links',
};

/**
 * The one translator of operating-system errors: a Node file system error as
 * Go's os package words it (`open /a/b: no such file or directory`), with the
 * store's code (a full disk or quota is ENOSPC). One of ours passes through.
 */
export function osError(op: string, path: string, err: unknown): StoreError {
  if (isStoreError(err)) return err;
  const sys =
    typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : 'EIO';
  const code: ErrorCode =
    sys === 'EDQUOT'
      ? 'ENOSPC'
      : ((['ENOENT', 'ENOTDIR', 'EISDIR', 'ENOSPC'] as const).find((c) => c === sys) ?? 'EIO');
  const reason = osReasons[sys] ?? messageOf(err);
  return new StoreError(code, `${op} ${path}: ${reason}`, { file: path, cause: err });
}

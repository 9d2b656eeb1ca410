// The library's public surface: the store, its layout, its errors, and the read-only audit queries.
export {
  Store,
  type Fetched,
  type FetchTarget,
  type SandboxSpec,
  type StorableResource,
  type StoreOptions,
  type TypedValue,
  type WriteOptions,
} from './store/store.ts';
export { LEGACY_METHODS, type LegacyMethodName } from './store/legacy-methods.ts';
export type { LegacyMethods } from './store/legacy-signatures.ts';
export type * from './legacy/payload-types.ts';
export type { Recovery } from './store/session/recover.ts';
export { DRIFT_POLICIES, type DriftPolicy } from './store/drift.ts';
export type { Typed } from './store/checks.ts';
export { StoreError, type ErrorCode } from './errors.ts';
export { LEGACY_ROOTS, journalFile, rootsUnder, type Roots } from './layout/roots.ts';
export { RESOURCES, type Resource } from './layout/resources.ts';
export type { Location } from './layout/uri.ts';
export { encodePayload, decodePayload, type PayloadType } from './legacy/payloads.ts';
export { verify, verifySandbox, type VerifyReport, type SandboxVerdict } from './recovery/verify.ts';
export { replayJournal, type Replay, type ReplayPoint } from './projector/replay.ts';
export * from './audit/index.ts';
export { importLegacy, type ImportResult } from './import/legacy.ts';
export * from './journal/index.ts';

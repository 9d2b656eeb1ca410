/**
 * The TypeScript signature of each legacy method, derived from its row in
 * the method table: the IDs its scope takes, then its arguments in the Go
 * order. A resource is one of its names, and a value's type follows the
 * resource, so a wrong name or a wrong value fails to compile; callers whose
 * arguments are JSON (the daemon, `vcstore apply`) go through `callLegacy`,
 * which checks every value at run time instead.
 */
import type { JournalEvent } from '../journal/record.ts';
import type { Resource, Scope } from '../layout/resources.ts';
import type { Location } from '../layout/uri.ts';
import type { FetchedAs, PayloadInput, PayloadOutput, PayloadTypes } from '../legacy/payload-types.ts';
import type { PayloadType } from '../legacy/payloads.ts';
import type { STORABLE } from './checks.ts';
import type { LegacyMethodTable } from './legacy-methods.ts';

export interface WriteOptions {
  /** Refuse with ECONFLICT unless the sandbox's last event has this sequence number. */
  expectSeq?: number;
}

export interface SandboxSpec {
  id: string;
  containers?: string[];
}

/** The hypervisor/agent fetch targets: a Go type to decode into. */
export type FetchTarget = PayloadType;

/** What a hypervisor/agent fetch returns: the typed state for a known target, any JSON for `interface{}`. */
export type Fetched<T extends FetchTarget> = T extends keyof FetchedAs ? FetchedAs[T] : unknown;

/** The legacy store type switch (`STORABLE`): the Go types each resource takes. */
export type StorableAs = { [R in keyof typeof STORABLE]: (typeof STORABLE)[R][number] };
export type StorableResource = keyof StorableAs;

/** A value with its Go type, as the `interface{}` argument of storeSandboxResource carries one. */
export type TypedValue<R extends StorableResource> = {
  [T in StorableAs[R]]: { type: T; value: PayloadInput<T> };
}[StorableAs[R]];

type Ids<S extends Scope> = S extends 'sandbox' ? [sandboxID: string] : [sandboxID: string, containerID: string];
type Written = Promise<JournalEvent>;

/** One method's signature, from its row. */
export type Signature<M> = M extends { kind: 'create' }
  ? (sandbox: SandboxSpec, options?: WriteOptions) => Written
  : M extends { kind: 'storeTyped'; scope: infer S extends Scope }
    ? <R extends StorableResource>(
        ...args: [...Ids<S>, resource: R, data: TypedValue<R>, options?: WriteOptions]
      ) => Written
    : M extends { kind: 'store'; scope: infer S extends Scope; payload: infer T extends keyof PayloadTypes }
      ? (...args: [...Ids<S>, value: PayloadInput<T>, options?: WriteOptions]) => Written
      : M extends { kind: 'delete'; scope: infer S extends Scope }
        ? /** `null` means config and state, as the legacy nil list did; each resource removes its whole folder. */
          (...args: [...Ids<S>, resources: readonly Resource[] | null, options?: WriteOptions]) => Written
        : M extends { kind: 'fetch'; payload: 'target' }
          ? /** Decodes into `target` as Go's json.Unmarshal did: `QemuState` gives a typed value, `interface{}` any JSON. */
            <T extends FetchTarget = 'interface{}'>(sandboxID: string, target?: T) => Promise<Fetched<T>>
          : M extends { kind: 'fetch'; scope: infer S extends Scope; payload: infer T extends keyof PayloadTypes }
            ? (...ids: Ids<S>) => Promise<PayloadOutput<T>>
            : M extends { kind: 'uri'; scope: infer S extends Scope }
              ? (...args: [...Ids<S>, resource: Resource]) => Location
              : never;

/** Every legacy method, typed. */
export type LegacyMethods = { [M in keyof LegacyMethodTable]: Signature<LegacyMethodTable[M]> };

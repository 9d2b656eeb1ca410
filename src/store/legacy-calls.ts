/**
 * What each kind of legacy method does, given its row of the method table
 * and its arguments in the Go order. The arguments are checked here, at run
 * time, whoever passes them: `Store`'s typed methods, the daemon's routes and
 * the CLI's ops all call through these functions.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { errInvalidResource, errInvalidTarget, errNeedContainerID, errNeedSandboxID, osError } from '../errors.ts';
import type { Looks } from '../fs/looks.ts';
import type { EventInput, JournalEvent } from '../journal/record.ts';
import { checkId } from '../layout/ids.ts';
import { resourceOf, rootOf, type Resource, type Scope } from '../layout/resources.ts';
import type { Roots } from '../layout/roots.ts';
import { containerURI, resourceURI, sandboxURI, type Location } from '../layout/uri.ts';
import { decodeJson, encodePayload, isPayloadType, readJson, type PayloadType } from '../legacy/payloads.ts';
import { checkCanMkdir, checkDataType, checkNoLinkAbove, checkWritable } from './checks.ts';
import type { FetchSpec, MethodSpec, MutationSpec, UriSpec } from './legacy-methods.ts';
import type { WriteOptions } from './legacy-signatures.ts';
import type { WriterSession } from './session/session.ts';

/** What the calls need of a store: its roots and the writer session of a sandbox. */
export interface StoreCore {
  readonly roots: Roots;
  session(sandboxID: string): WriterSession;
}

/** The IDs and the rest of a call's arguments, split by the method's scope. */
interface Call {
  sandboxID: string;
  /** '' when the method is sandbox-scoped */
  containerID: string;
  rest: readonly unknown[];
  options: WriteOptions;
}

/** A missing or non-text ID is the empty ID, which the legacy checks refuse by name. */
const idArg = (value: unknown): string => (typeof value === 'string' ? value : '');

function optionsArg(value: unknown): WriteOptions {
  const expectSeq = (value as WriteOptions | undefined)?.expectSeq;
  return expectSeq === undefined ? {} : { expectSeq };
}

function split(spec: MethodSpec, args: readonly unknown[]): Call {
  const ids = spec.scope === 'sandbox' ? 1 : 2;
  return {
    sandboxID: idArg(args[0]),
    containerID: spec.scope === 'sandbox' ? '' : idArg(args[1]),
    rest: args.slice(ids, spec.args.length),
    options: optionsArg(args[spec.args.length]),
  };
}

/** A method that appends an event: the event, once durable. Always rejects, never throws. */
export async function callMutation(
  core: StoreCore,
  spec: MutationSpec,
  args: readonly unknown[],
): Promise<JournalEvent> {
  const call = split(spec, args);
  switch (spec.kind) {
    case 'create':
      return create(core, call.sandboxID, call.rest[0], call.options);
    case 'storeTyped': {
      checkContainerIDs(spec.scope, call);
      // commonResourceChecks: the IDs, then the resource; lock is never storable.
      const location = locate(core.roots, spec.scope, call, call.rest[0]);
      if (location.resource === 'lock') throw errInvalidResource();
      const data = call.rest[1];
      const type = checkDataType(data, location.resource);
      return writeFile(core, call, location, type, (data as { value: unknown }).value);
    }
    case 'store': {
      checkContainerIDs(spec.scope, call);
      return writeFile(core, call, locate(core.roots, spec.scope, call, spec.resource), spec.payload, call.rest[0]);
    }
    case 'delete':
      return remove(core, spec.scope, call, call.rest[0]);
  }
}

/** A fetch: the file's bytes, once they decode as the type the legacy fetch decoded into, and the decoded value. */
export function callFetch(
  core: StoreCore,
  spec: FetchSpec,
  args: readonly unknown[],
): { bytes: Buffer; type: PayloadType; value: unknown } {
  const call = split(spec, args);
  const location = locate(core.roots, spec.scope, call, spec.resource);
  const target = spec.payload === 'target' ? (call.rest[0] ?? 'interface{}') : spec.payload;
  // A legacy file is small and in the page cache: a synchronous read costs a few microseconds where the
  // thread pool's open, stat, read and close round trips cost a hundred and more.
  let bytes: Buffer;
  try {
    bytes = readFileSync(location.path);
  } catch (err) {
    throw osError('open', location.path, err);
  }
  // Like json.Unmarshal, the whole document is read (a malformed one is a syntax error, whatever the
  // target) before the target is looked at.
  const json = readJson(bytes.toString('utf8'));
  if (!isPayloadType(target)) throw errInvalidTarget(typeof target === 'string' ? target : JSON.stringify(target));
  return { bytes, type: target, value: decodeJson(target, json) };
}

/** Where a resource lives (sandboxURI, containerURI). */
export function callUri(core: StoreCore, spec: UriSpec, args: readonly unknown[]): Location {
  const call = split(spec, args);
  return spec.scope === 'sandbox'
    ? sandboxURI(core.roots, call.sandboxID, call.rest[0])
    : containerURI(core.roots, call.sandboxID, call.containerID, call.rest[0]);
}

function locate(roots: Roots, scope: Scope, call: Call, resource: unknown): Location {
  return resourceURI(roots, scope, call.sandboxID, call.containerID, resource);
}

/** The container methods name a missing ID before anything else, as the legacy code did. */
function checkContainerIDs(scope: Scope, call: Call): void {
  if (scope === 'sandbox') return;
  if (call.sandboxID === '') throw errNeedSandboxID();
  if (call.containerID === '') throw errNeedContainerID();
}

async function create(core: StoreCore, sandboxID: string, containerArg: unknown, options: WriteOptions) {
  const containers = Array.isArray(containerArg) ? containerArg.map(idArg) : [];
  if (sandboxID === '') throw errNeedSandboxID();
  checkId('sandbox', sandboxID);
  for (const c of containers) {
    if (c === '') throw errNeedContainerID();
    checkId('container', c);
  }
  // In the legacy order: run then config folder, for the sandbox and then each container.
  const { roots } = core;
  const both = (sub: string) => [roots.run, roots.config].map((root) => [root, path.join(root, sub)] as const);
  const dirs = [...both(sandboxID), ...containers.flatMap((c) => both(path.join(sandboxID, c)))];
  return write(core, sandboxID, options, async () => {
    for (const [root, dir] of dirs) checkCanMkdir(root, dir);
    return { op: 'create', sandbox: sandboxID, containers };
  });
}

function writeFile(core: StoreCore, call: Call, location: Location, type: PayloadType, value: unknown) {
  const { sandboxID, containerID } = call;
  // Validating and encoding may be slow for a large value: done before the sandbox is held. Their
  // error is raised only after the folder check, in the legacy order (os.Create, then json.Marshal).
  let encoded: { payload: string } | { failure: unknown };
  try {
    encoded = { payload: encodePayload(type, value) };
  } catch (failure) {
    encoded = { failure };
  }
  const prepare = async (looks: Looks): Promise<EventInput> => {
    checkWritable(core.roots[rootOf(location.resource)], location.path, looks);
    if ('failure' in encoded) throw encoded.failure;
    const event = { op: 'store' as const, sandbox: sandboxID, resource: location.resource, payload: encoded.payload };
    return containerID === '' ? event : { ...event, container: containerID };
  };
  return write(core, sandboxID, call.options, prepare, { groupable: true });
}

/** `null` means config and state, as the legacy nil list did; each resource removes its whole folder. */
async function remove(core: StoreCore, scope: Scope, call: Call, resourceArgs: unknown): Promise<JournalEvent> {
  const { sandboxID } = call;
  const containerID = scope === 'sandbox' ? undefined : call.containerID;
  if (sandboxID === '') throw errNeedSandboxID();
  if (containerID === '') throw errNeedContainerID();
  const resources: Resource[] = Array.isArray(resourceArgs) ? resourceArgs.map(resourceOf) : ['config', 'state'];
  checkId('sandbox', sandboxID);
  if (containerID !== undefined) checkId('container', containerID);
  return write(core, sandboxID, call.options, async () => {
    for (const resource of resources) {
      const root = core.roots[rootOf(resource)];
      checkNoLinkAbove(root, path.join(root, sandboxID, containerID ?? ''));
    }
    const event = { op: 'delete' as const, sandbox: sandboxID, resources };
    return containerID === undefined ? event : { ...event, container: containerID };
  });
}

/** Queues a write on its sandbox: the checks that need the disk run in turn, then the event is committed. */
function write(
  core: StoreCore,
  sandboxID: string,
  options: WriteOptions,
  prepare: (looks: Looks) => Promise<EventInput>,
  how: { groupable: boolean } = { groupable: false },
): Promise<JournalEvent> {
  const expect = options.expectSeq === undefined ? {} : { expectSeq: options.expectSeq };
  return core.session(sandboxID).write({ groupable: how.groupable, prepare, ...expect });
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  errInvalidResource,
  errInvalidTarget,
  errNeedContainerID,
  errNeedSandboxID,
  errUnsafePath,
  osError,
} from '../errors.ts';
import type { EventInput, JournalEvent } from '../journal/record.ts';
import { checkId } from '../layout/ids.ts';
import { resourceOf, rootOf, type Resource, type Scope } from '../layout/resources.ts';
import { LEGACY_ROOTS, type Roots } from '../layout/roots.ts';
import { containerURI, resourceURI, sandboxURI, type Location } from '../layout/uri.ts';
import type {
  ContainerConfig,
  DeviceList,
  DeviceListInput,
  FetchedAs,
  Mount,
  MountInput,
  NetworkNamespace,
  NetworkNamespaceInput,
  Process,
  ProcessInput,
  SandboxConfig,
  State,
} from '../legacy/payload-types.ts';
import { decodePayload, encodePayload, isPayloadType, type PayloadType } from '../legacy/payloads.ts';
import { silentLogger, type Logger } from '../log.ts';
import { checkCanMkdir, checkDataType, checkNoLinkAbove, checkWritable, type Typed } from './checks.ts';
import type { Drift } from '../projector/compare.ts';
import type { DriftPolicy } from './drift.ts';
import { CommitLoad } from './session/commit.ts';
import type { Recovery } from './session/recover.ts';
import { WriterSession } from './session/session.ts';

export interface StoreOptions {
  roots?: Partial<Roots>;
  log?: Logger;
  /**
   * What to do with a legacy file or folder found differing from the journal
   * (always recorded first as an `observe` event): `restore` writes the
   * journal's state back, `adopt` makes what was found the state.
   */
  drift?: DriftPolicy;
}

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

/**
 * The legacy resourceStorage interface over a journal. Every store, delete
 * and create appends one event and returns once it is durable; the legacy
 * tree is then written from it. Fetches read the legacy files.
 */
export class Store {
  readonly roots: Roots;
  private readonly log: Logger;
  private readonly sandboxes = new Map<string, WriterSession>();
  private readonly load = new CommitLoad();
  private readonly drift: DriftPolicy;

  constructor(options: StoreOptions = {}) {
    this.roots = { ...LEGACY_ROOTS, ...options.roots };
    this.log = options.log ?? silentLogger;
    this.drift = options.drift ?? 'restore';
  }

  sandboxURI(sandboxID: string, resource: unknown): Location {
    return sandboxURI(this.roots, sandboxID, resource);
  }

  containerURI(sandboxID: string, containerID: string, resource: unknown): Location {
    return containerURI(this.roots, sandboxID, containerID, resource);
  }

  async createAllResources(sandbox: SandboxSpec, options: WriteOptions = {}): Promise<JournalEvent> {
    const sandboxID = sandbox.id;
    const containers = sandbox.containers ?? [];
    if (sandboxID === '') throw errNeedSandboxID();
    checkId('sandbox', sandboxID);
    for (const c of containers) {
      if (c === '') throw errNeedContainerID();
      checkId('container', c);
    }
    // In the legacy order: run then config folder, for the sandbox and then each container.
    const both = (sub: string) =>
      [this.roots.run, this.roots.config].map((root) => [root, path.join(root, sub)] as const);
    const dirs = [...both(sandboxID), ...containers.flatMap((c) => both(path.join(sandboxID, c)))];
    return this.write(sandboxID, options, async () => {
      for (const [root, dir] of dirs) checkCanMkdir(root, dir);
      return { op: 'create', sandbox: sandboxID, containers };
    });
  }

  storeSandboxResource(
    sandboxID: string,
    resource: unknown,
    data: Typed,
    options?: WriteOptions,
  ): Promise<JournalEvent> {
    return this.storeResource('sandbox', sandboxID, '', resource, data, options);
  }

  storeContainerResource(
    sandboxID: string,
    containerID: string,
    resource: unknown,
    data: Typed,
    options?: WriteOptions,
  ): Promise<JournalEvent> {
    if (sandboxID === '') return Promise.reject(errNeedSandboxID());
    if (containerID === '') return Promise.reject(errNeedContainerID());
    return this.storeResource('container', sandboxID, containerID, resource, data, options);
  }

  storeSandboxNetwork(
    sandboxID: string,
    network: NetworkNamespaceInput,
    options?: WriteOptions,
  ): Promise<JournalEvent> {
    return this.storeSandboxResource(sandboxID, 'network', { type: 'NetworkNamespace', value: network }, options);
  }

  /** Any JSON value, as the legacy interface{} took. */
  storeHypervisorState(sandboxID: string, state: unknown, options?: WriteOptions): Promise<JournalEvent> {
    return this.storeAny(sandboxID, 'hypervisor', state, options);
  }

  /** Any JSON value, as the legacy interface{} took. */
  storeAgentState(sandboxID: string, state: unknown, options?: WriteOptions): Promise<JournalEvent> {
    return this.storeAny(sandboxID, 'agent', state, options);
  }

  storeContainerProcess(
    sandboxID: string,
    containerID: string,
    process: ProcessInput,
    options?: WriteOptions,
  ): Promise<JournalEvent> {
    return this.storeContainerResource(sandboxID, containerID, 'process', { type: 'Process', value: process }, options);
  }

  storeContainerMounts(
    sandboxID: string,
    containerID: string,
    mounts: MountInput[] | null,
    options?: WriteOptions,
  ): Promise<JournalEvent> {
    return this.storeContainerResource(sandboxID, containerID, 'mounts', { type: '[]Mount', value: mounts }, options);
  }

  storeContainerDevices(
    sandboxID: string,
    containerID: string,
    devices: DeviceListInput,
    options?: WriteOptions,
  ): Promise<JournalEvent> {
    return this.storeContainerResource(
      sandboxID,
      containerID,
      'devices',
      { type: '[]Device', value: devices },
      options,
    );
  }

  /** `null` means config and state, as the legacy nil list did; each resource removes its whole folder. */
  deleteSandboxResources(
    sandboxID: string,
    resources: unknown[] | null,
    options?: WriteOptions,
  ): Promise<JournalEvent> {
    return this.delete(sandboxID, undefined, resources, options);
  }

  deleteContainerResources(
    sandboxID: string,
    containerID: string,
    resources: unknown[] | null,
    options?: WriteOptions,
  ): Promise<JournalEvent> {
    return this.delete(sandboxID, containerID, resources, options);
  }

  fetchSandboxConfig(sandboxID: string): Promise<SandboxConfig> {
    return this.fetch('sandbox', sandboxID, '', 'config', 'SandboxConfig');
  }
  fetchSandboxState(sandboxID: string): Promise<State> {
    return this.fetch('sandbox', sandboxID, '', 'state', 'State');
  }
  fetchSandboxNetwork(sandboxID: string): Promise<NetworkNamespace> {
    return this.fetch('sandbox', sandboxID, '', 'network', 'NetworkNamespace');
  }
  /** Decodes into `target` as Go's json.Unmarshal did: `QemuState` gives a typed value, `interface{}` any JSON. */
  fetchHypervisorState<T extends FetchTarget = 'interface{}'>(sandboxID: string, target?: T): Promise<Fetched<T>> {
    return this.fetch('sandbox', sandboxID, '', 'hypervisor', target ?? 'interface{}');
  }
  /** Decodes into `target` as Go's json.Unmarshal did: `KataAgentState` gives a typed value, `interface{}` any JSON. */
  fetchAgentState<T extends FetchTarget = 'interface{}'>(sandboxID: string, target?: T): Promise<Fetched<T>> {
    return this.fetch('sandbox', sandboxID, '', 'agent', target ?? 'interface{}');
  }
  fetchContainerConfig(sandboxID: string, containerID: string): Promise<ContainerConfig> {
    return this.fetch('container', sandboxID, containerID, 'config', 'ContainerConfig');
  }
  fetchContainerState(sandboxID: string, containerID: string): Promise<State> {
    return this.fetch('container', sandboxID, containerID, 'state', 'State');
  }
  fetchContainerProcess(sandboxID: string, containerID: string): Promise<Process> {
    return this.fetch('container', sandboxID, containerID, 'process', 'Process');
  }
  fetchContainerMounts(sandboxID: string, containerID: string): Promise<Mount[] | null> {
    return this.fetch('container', sandboxID, containerID, 'mounts', '[]Mount');
  }
  fetchContainerDevices(sandboxID: string, containerID: string): Promise<DeviceList> {
    return this.fetch('container', sandboxID, containerID, 'devices', '[]Device');
  }

  /** Cuts a torn tail (and with `truncateAtCorruption` a damaged end), rebuilds the legacy tree, removes temp files. */
  async recover(sandboxID: string, options: { truncateAtCorruption?: boolean } = {}): Promise<Recovery> {
    checkId('sandbox', sandboxID);
    return this.sandbox(sandboxID).recover(options);
  }

  /**
   * Adopts a sandbox that has no events yet (`vcstore import`): the events,
   * in one append, then the tree brought in line with them. EEXIST if the
   * sandbox already has events.
   */
  async adopt(sandboxID: string, events: EventInput[]): Promise<{ seq: number; drift: Drift[] }> {
    checkId('sandbox', sandboxID);
    return this.sandbox(sandboxID).adopt(events);
  }

  /**
   * Records, as `observe` events, what the legacy tree holds at and below
   * these tree paths (`run/<sandbox>/…`, `config/<sandbox>/…`) where it
   * differs from the sandbox's journal, then applies the drift policy.
   */
  async observe(sandboxID: string, treePaths: string[]): Promise<JournalEvent[]> {
    checkId('sandbox', sandboxID);
    const own = (p: string) =>
      p === `config/${sandboxID}` ||
      p === `run/${sandboxID}` ||
      p.startsWith(`config/${sandboxID}/`) ||
      p.startsWith(`run/${sandboxID}/`);
    const foreign = treePaths.find(
      (p) => !own(p) || p.split('/').some((part) => part === '..' || part === '.' || part === ''),
    );
    if (foreign !== undefined)
      throw errUnsafePath(`refusing tree path ${JSON.stringify(foreign)}: not in sandbox ${sandboxID}`);
    return this.sandbox(sandboxID).observe(treePaths);
  }

  /** The last sequence number this process has seen for a sandbox (0 before any event). */
  async seq(sandboxID: string): Promise<number> {
    checkId('sandbox', sandboxID);
    return this.sandbox(sandboxID).current();
  }

  async close(): Promise<void> {
    for (const sandbox of this.sandboxes.values()) await sandbox.close();
    this.sandboxes.clear();
  }

  private async storeResource(
    scope: Scope,
    sandboxID: string,
    containerID: string,
    resourceArg: unknown,
    data: Typed,
    options: WriteOptions = {},
  ): Promise<JournalEvent> {
    // commonResourceChecks: the IDs, then the resource; lock is never storable.
    const location = resourceURI(this.roots, scope, sandboxID, containerID, resourceArg);
    if (location.resource === 'lock') throw errInvalidResource();
    const type = checkDataType(data, location.resource);
    return this.writeFile(sandboxID, containerID, location, type, data.value, options);
  }

  private async storeAny(sandboxID: string, resource: Resource, state: unknown, options: WriteOptions = {}) {
    const location = sandboxURI(this.roots, sandboxID, resource);
    return this.writeFile(sandboxID, '', location, 'interface{}', state, options);
  }

  private writeFile(
    sandboxID: string,
    containerID: string,
    location: Location,
    type: PayloadType,
    value: unknown,
    options: WriteOptions,
  ): Promise<JournalEvent> {
    // Validating and encoding may be slow for a large value: done before the sandbox is held. Their
    // error is raised only after the folder check, in the legacy order (os.Create, then json.Marshal).
    let encoded: { payload: string } | { failure: unknown };
    try {
      encoded = { payload: encodePayload(type, value) };
    } catch (failure) {
      encoded = { failure };
    }
    return this.write(
      sandboxID,
      options,
      async () => {
        checkWritable(this.roots[rootOf(location.resource)], location.path);
        if ('failure' in encoded) throw encoded.failure;
        const event = {
          op: 'store' as const,
          sandbox: sandboxID,
          resource: location.resource,
          payload: encoded.payload,
        };
        return containerID === '' ? event : { ...event, container: containerID };
      },
      { groupable: true },
    );
  }

  private async delete(
    sandboxID: string,
    containerID: string | undefined,
    resourceArgs: unknown[] | null,
    options: WriteOptions = {},
  ): Promise<JournalEvent> {
    if (sandboxID === '') throw errNeedSandboxID();
    if (containerID === '') throw errNeedContainerID();
    const resources = resourceArgs === null ? (['config', 'state'] as Resource[]) : resourceArgs.map(resourceOf);
    checkId('sandbox', sandboxID);
    if (containerID !== undefined) checkId('container', containerID);
    return this.write(sandboxID, options, async () => {
      for (const resource of resources) {
        const root = this.roots[rootOf(resource)];
        checkNoLinkAbove(root, path.join(root, sandboxID, containerID ?? ''));
      }
      const event = { op: 'delete' as const, sandbox: sandboxID, resources };
      return containerID === undefined ? event : { ...event, container: containerID };
    });
  }

  /** Queues a write on its sandbox: the checks that need the disk run in turn, then the event is committed. */
  private write(
    sandboxID: string,
    options: WriteOptions,
    prepare: () => Promise<EventInput>,
    how: { groupable: boolean } = { groupable: false },
  ): Promise<JournalEvent> {
    const expect = options.expectSeq === undefined ? {} : { expectSeq: options.expectSeq };
    return this.sandbox(sandboxID).write({ groupable: how.groupable, prepare, ...expect });
  }

  /** `T` is the type the payload schema of `type` infers (see legacy/payload-types.ts). */
  private async fetch<T>(
    scope: Scope,
    sandboxID: string,
    containerID: string,
    resource: Resource,
    type: PayloadType,
  ): Promise<T> {
    const location = resourceURI(this.roots, scope, sandboxID, containerID, resource);
    // A legacy file is small and in the page cache: a synchronous read costs a few microseconds where the
    // thread pool's open, stat, read and close round trips cost a hundred and more.
    let text: string;
    try {
      text = readFileSync(location.path, 'utf8');
    } catch (err) {
      throw osError('open', location.path, err);
    }
    // Like json.Unmarshal, the target is checked only once there is something to decode.
    if (!isPayloadType(type)) throw errInvalidTarget(type);
    return decodePayload(type, text) as T;
  }

  private sandbox(id: string): WriterSession {
    let sandbox = this.sandboxes.get(id);
    if (!sandbox)
      this.sandboxes.set(id, (sandbox = new WriterSession(this.roots, id, this.log, this.drift, this.load)));
    return sandbox;
  }
}

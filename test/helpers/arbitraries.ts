/**
 * fast-check generators for the model test: operations on a small pool of
 * IDs, with valid Go-typed values (and a few that Go could not marshal).
 */
import fc from 'fast-check';
import { RESOURCES, type Resource } from '../../src/layout/resources.ts';
import type { PayloadType } from '../../src/legacy/payloads.ts';

const kind = <K extends string>(k: K) => fc.constant(k);

export const SANDBOXES = ['sb1', 'sb2'];
const sandbox = fc.constantFrom(...SANDBOXES);
// `lock` and `state.json` are legal container IDs that collide with legacy file names.
const container = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('c1', 'c2') },
  fc.constantFrom('lock', 'state.json'),
);

// Values. A year past 9999 cannot be marshaled, nor can NaN: those stores must fail with EMARSHAL.
const text = fc.oneof(fc.constantFrom('', 'ready', 'running', 'a<b>&c'), fc.string({ unit: 'binary', maxLength: 6 }));
const goTime = fc.date({
  min: new Date('0001-01-01T00:00:00Z'),
  max: new Date('9999-12-31T23:59:59Z'),
  noInvalidDate: true,
});
const time = fc.oneof(
  { weight: 9, arbitrary: goTime.map((d) => d.toISOString()) },
  fc.constant('10000-01-01T00:00:00Z'),
);
const partial = <T>(fields: { [K in keyof T]: fc.Arbitrary<T[K]> }) => fc.record(fields, { requiredKeys: [] });
const state = partial({
  state: text,
  blockIndex: fc.nat(9),
  fstype: fc.constantFrom('', 'ext4'),
  hotpluggedDrive: fc.boolean(),
});
const process = partial({ Token: text, Pid: fc.nat(), StartTime: time });
const options = fc.option(fc.array(text, { maxLength: 2 }), { nil: null });
const mount = partial({
  Source: text,
  Destination: text,
  Type: fc.constantFrom('bind', ''),
  Options: options,
  ReadOnly: fc.boolean(),
});
const device = fc.record({
  type: fc.constantFrom('VFIODevice', 'BlockDevice', 'GenericDevice', 'VhostUserNetDevice'),
  // a fetch dispatches on the DeviceType field, not the Go type; vhost-user devices fail it
  value: fc.record({
    DeviceType: fc.constantFrom('vfio', 'block', 'generic', 'vhost-user-net'),
    DeviceInfo: fc.record({ HostPath: text, Major: fc.nat(300) }),
  }),
});
const listOf = <T>(item: fc.Arbitrary<T>) => fc.option(fc.array(item, { maxLength: 3 }), { nil: null });
const network = fc.record({ NetNsPath: text, NetNsCreated: fc.boolean() });
const anyValue = fc.oneof({ weight: 8, arbitrary: fc.jsonValue({ maxDepth: 2 }) }, fc.constant({ bad: Number.NaN }));

type Slot = [Resource, PayloadType, fc.Arbitrary<unknown>];
const common: Slot[] = [
  ['state', 'State', state],
  ['process', 'Process', process],
  ['mounts', '[]Mount', listOf(mount)],
  ['devices', '[]Device', listOf(device)],
  ['network', 'NetworkNamespace', network],
];
const sandboxSlots: Slot[] = [['config', 'SandboxConfig', fc.record({ ID: text })], ...common];
const containerSlots: Slot[] = [['config', 'ContainerConfig', fc.record({ ID: text })], ...common];
const storeIn = (level: fc.Arbitrary<string>, slots: Slot[]) =>
  fc.oneof(
    ...slots.map(([resource, type, value]) =>
      fc.record({
        kind: kind('store'),
        sandbox,
        container: level,
        resource: fc.constant(resource),
        type: fc.constant(type),
        value,
      }),
    ),
  );

// Operations.
const create = fc.record({ kind: kind('create'), sandbox, containers: fc.array(container, { maxLength: 3 }) });
const store = fc.oneof(storeIn(fc.constant(''), sandboxSlots), storeIn(container, containerSlots));
const storeAny = fc.record({
  kind: kind('storeAny'),
  sandbox,
  resource: fc.constantFrom('hypervisor', 'agent'),
  value: anyValue,
});
// a resource as a caller may name it: `state`, `stateFileType` or 1
const resource = fc.oneof(
  fc.constantFrom(...RESOURCES),
  fc.constantFrom(...RESOURCES).map((r) => `${r}FileType`),
  fc.integer({ min: 0, max: 8 }),
);
const resources = fc.option(fc.array(resource, { maxLength: 3 }), { nil: null });
const del = fc.record({
  kind: kind('delete'),
  sandbox,
  container: fc.option(container, { nil: undefined }),
  resources,
});
const fetch = fc.oneof(
  fc.record({
    kind: kind('fetch'),
    sandbox,
    container: fc.constant(''),
    resource: fc.constantFrom<Resource>('config', 'state', 'network', 'hypervisor', 'agent'),
  }),
  fc.record({
    kind: kind('fetch'),
    sandbox,
    container,
    resource: fc.constantFrom<Resource>('config', 'state', 'process', 'mounts', 'devices'),
  }),
  // a file that exists, picked among the model's files when the run comes to it
  { weight: 2, arbitrary: fc.record({ kind: kind('fetchStored'), pick: fc.nat() }) },
);

export const writeOp = fc.oneof(
  { weight: 2, arbitrary: create },
  { weight: 6, arbitrary: store },
  { weight: 2, arbitrary: storeAny },
  { weight: 2, arbitrary: del },
);
export type WriteOp = typeof writeOp extends fc.Arbitrary<infer T> ? T : never;

// Faults: a new Store on the same roots; a legacy file damaged behind the store's back, then a write on its sandbox.
const reopen = fc.record({ kind: kind('reopen') });
const damage = fc.record({
  kind: kind('damage'),
  pick: fc.nat(),
  how: fc.constantFrom('garbage', 'empty', 'remove'),
  then: writeOp,
});

/** What a caller does: writes and fetches. */
export const op = fc.oneof({ weight: 3, arbitrary: writeOp }, { weight: 1, arbitrary: fetch });
/** The same, with faults between them. */
export const opOrFault = fc.oneof(
  { weight: 8, arbitrary: op },
  { weight: 1, arbitrary: reopen },
  { weight: 2, arbitrary: damage },
);
export type Op = typeof opOrFault extends fc.Arbitrary<infer T> ? T : never;

/** Runs start from two sandboxes with containers, so that most stores find their folder. */
export const SETUP: Op[] = [
  { kind: 'create', sandbox: 'sb1', containers: ['c1', 'c2'] },
  { kind: 'create', sandbox: 'sb2', containers: ['c1'] },
];

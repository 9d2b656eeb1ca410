/**
 * fast-check generators of arguments the store must refuse. Each is written
 * from the documented rules (docs/compatibility.md, fixtures/legacy-go/types.md),
 * not from the code that checks them.
 */
import fc from 'fast-check';
import { RESOURCES } from '../../src/layout/resources.ts';
import type { Store } from '../../src/store/store.ts';

/** A method of the store and its arguments: data, so that a counterexample prints readably. */
export type Call = [keyof Store, ...unknown[]];

const SAFE_ID = /^[A-Za-z0-9_.+-]{1,128}$/;
const around = (middle: fc.Arbitrary<string>) =>
  fc.tuple(fc.string({ maxLength: 4 }), middle, fc.string({ maxLength: 4 })).map(([a, m, b]) => a + m + b);
const idChar = fc.constantFrom(...'aZ09_.+-');

/** Not one safe path component: `.`/`..`, a slash, NUL, non-ASCII, over 128 bytes, other punctuation. */
export const unsafeId = fc
  .oneof(
    fc.constantFrom('.', '..'),
    around(fc.constantFrom('/', '\0', '/../', ' ', ':', '\\', '*', '\n')),
    around(fc.constantFrom('é', '日本', '😀', '\u2028', '\ufffd')),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }),
    fc.string({ unit: idChar, minLength: 129, maxLength: 300 }),
    fc.string({ unit: fc.constant('é'), minLength: 65, maxLength: 80 }), // 65 characters, 130 bytes
  )
  .filter((id) => id !== '' && (!SAFE_ID.test(id) || id === '.' || id === '..' || Buffer.byteLength(id) > 128));

const validResources = new Set<unknown>([...RESOURCES, ...RESOURCES.map((r) => `${r}FileType`)]);
const isValidResource = (v: unknown) =>
  typeof v === 'number' ? Number.isInteger(v) && v >= 0 && v <= 8 : validResources.has(v);

/** Anything that names none of the nine resources. */
export const badResource = fc
  .oneof(
    fc.string(),
    fc.integer(),
    fc.double(),
    fc.constantFrom(
      null,
      undefined,
      true,
      {},
      [],
      '0',
      '1',
      'FileType',
      'State',
      'Config',
      ' state',
      'constructor',
      '__proto__',
      9,
      -1,
      1.5,
    ),
  )
  .filter((v) => !isValidResource(v));

const KNOWN_TYPES = ['SandboxConfig', 'ContainerConfig', 'State', 'NetworkNamespace', 'Process', '[]Mount', '[]Device'];

/** A value whose Go type no store slot takes: a pointer, a map, a string, nil, no type at all. */
export const badType = fc.oneof(
  fc
    .tuple(
      fc.oneof(
        fc.string(),
        fc.constantFrom('*State', 'map[string]interface{}', 'interface{}', 'string', 'state', 'toString', '__proto__'),
      ),
      fc.jsonValue({ maxDepth: 1 }),
    )
    .filter(([type]) => !KNOWN_TYPES.includes(type))
    .map(([type, value]) => ({ type, value })),
  fc.oneof(fc.constant(null), fc.string(), fc.integer(), fc.constant({ value: { state: 'x' } }), fc.constant([])),
);

// Values of the wrong JSON kind for one Go type.
const notObject = fc.oneof(
  fc.string(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 2 }),
);
const notString = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 1 }),
  fc.constant({}),
);
const notBool = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant([]));
const notArray = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant({}));
const notInteger = fc.oneof(
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.double().filter((n) => !Number.isInteger(n)), // fractions, NaN, ±Infinity
  fc.double({ min: 2 ** 53, max: 1e300, noNaN: true }), // integers a number cannot hold exactly
);
const int64 = fc.oneof(
  notInteger,
  fc.bigInt({ min: 2n ** 63n, max: 2n ** 80n }),
  fc.bigInt({ min: -(2n ** 80n), max: -(2n ** 63n) - 1n }),
);
const uint32 = fc.oneof(
  notInteger,
  fc.integer({ min: 4294967296, max: Number.MAX_SAFE_INTEGER }),
  fc.integer({ max: -1 }),
);
const RFC3339 = /^-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/;
const notTime = fc.oneof(
  fc.string().filter((s) => !RFC3339.test(s)),
  fc.integer(),
  fc.constant(null),
  fc.constantFrom(
    '2023-02-29T00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2024-01-01T24:00:00Z',
    '2024-01-01 00:00:00Z',
    '2024-01-01T00:00:00',
  ),
);

/** One field of a struct given a bad value; the others left out (their zero values are fine). */
const withBadField = (fields: Record<string, fc.Arbitrary<unknown>>) =>
  fc.oneof(...Object.entries(fields).map(([name, bad]) => bad.map((v) => ({ [name]: v }))));

const state = fc.oneof(
  notObject,
  withBadField({ state: notString, blockIndex: int64, fstype: notString, hotpluggedDrive: notBool }),
);
const process = fc.oneof(notObject, withBadField({ Token: notString, Pid: int64, StartTime: notTime }));
const mount = fc.oneof(
  notObject,
  withBadField({
    Source: notString,
    Options: fc.oneof(
      notArray,
      notString.map((s) => [s]),
    ),
    ReadOnly: notBool,
    BlockDevice: notObject.filter((v) => v !== null),
  }),
);
const deviceInfo = withBadField({
  HostPath: notString,
  Major: int64,
  Minor: int64,
  FileMode: uint32,
  UID: uint32,
  GID: uint32,
  Hotplugged: notBool,
});
const device = fc.oneof(
  fc.record({
    type: fc.string().filter((t) => !/^(VFIO|Block|Generic|VhostUser(Net|SCSI|Blk))Device$/.test(t)),
    value: fc.constant({}),
  }),
  fc.record({ type: fc.constantFrom('BlockDevice', 'VFIODevice'), value: notObject }),
  fc.record({
    type: fc.constantFrom('BlockDevice', 'GenericDevice'),
    value: deviceInfo.map((DeviceInfo) => ({ DeviceInfo })),
  }),
  notObject,
);
const listOf = (item: fc.Arbitrary<unknown>) => fc.oneof(notArray, fc.array(item, { minLength: 1, maxLength: 2 }));
const network = fc.oneof(notObject, withBadField({ NetNsPath: notString, NetNsCreated: notBool }));

/** [resource, typed value]: the right Go type in the right slot, with a value that does not fit it. */
export const badPayload = fc.oneof(
  state.map((value) => ['state', { type: 'State', value }] as const),
  process.map((value) => ['process', { type: 'Process', value }] as const),
  listOf(mount).map((value) => ['mounts', { type: '[]Mount', value }] as const),
  listOf(device).map((value) => ['devices', { type: '[]Device', value }] as const),
  network.map((value) => ['network', { type: 'NetworkNamespace', value }] as const),
);

/** What json.Marshal refuses inside an interface{}: NaN, ±Inf, functions, channels (symbols here), cycles. */
const cycle = () => {
  const o: Record<string, unknown> = { a: 1 };
  o.self = o;
  return o;
};
export const unmarshalable = fc.oneof(
  fc
    .tuple(
      fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
      fc.string(),
      fc.constantFrom(Number.NaN, Infinity, -Infinity),
    )
    .map(([o, k, bad]) => ({ ...o, [k]: bad })),
  fc
    .tuple(fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }), fc.constantFrom(Number.NaN, Infinity))
    .map(([a, bad]) => [...a, bad]),
  fc.constantFrom<unknown>(() => 1, Symbol('chan'), Number.NaN),
  fc.constant(null).map(cycle),
);

/**
 * Values over the payload limit (8 MiB counted as string and key lengths plus
 * one per value), each a different shape a hostile caller could send: built
 * lazily, since each is large.
 */
export const oversized = fc
  .constantFrom('long string', 'escaped string', 'sparse array', 'long array', 'wide map', 'nested')
  .map((shape) => {
    const limit = 8 * 1024 * 1024;
    switch (shape) {
      case 'long string':
        return 'x'.repeat(limit + 1);
      case 'escaped string':
        return '<'.repeat(limit + 1); // six bytes each once escaped
      case 'sparse array': {
        const a: unknown[] = [];
        a.length = 2 ** 32 - 1;
        return a;
      }
      case 'long array':
        return new Array(limit + 1).fill(0);
      case 'wide map':
        return Object.fromEntries(Array.from({ length: limit / 64 }, (_, i) => [`${'k'.repeat(60)}${i}`, i]));
      default:
        return { a: [{ b: 'y'.repeat(limit / 2) }, { c: 'z'.repeat(limit / 2) }] };
    }
  });

/** Map keys that JavaScript objects treat specially, mixed with ordinary ones; each survives as data. */
export const trickyKeys = fc
  .uniqueArray(
    fc.oneof(
      fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'),
      fc.string({ maxLength: 6 }),
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((keys) => {
    // JSON.parse makes every key an own property, __proto__ included, as a caller's decoded JSON has it.
    const text = `{${keys.map((k, i) => `${JSON.stringify(k)}:${JSON.stringify(`v${i}`)}`).join(',')}}`;
    return { keys, map: JSON.parse(text) as Record<string, string> };
  });

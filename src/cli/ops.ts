import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { errUsage, osError } from '../errors.ts';
import { encodePayload } from '../legacy/payloads.ts';
import type { JournalEvent } from '../journal/record.ts';
import { callFetch, callMutation, callUri } from '../store/legacy-calls.ts';
import { isLegacyMethod, isMutation, LEGACY_METHODS, type Arg, type MethodSpec } from '../store/legacy-methods.ts';
import { storeCore, type Store, type WriteOptions } from '../store/store.ts';

/**
 * One operation of an ops file, in the legacy fixtures' format: a Go method
 * with its arguments, `data` holding the Go json.Marshal bytes of the value
 * passed. `_writeFile` and `_mkdir` write the tree directly, as a test harness
 * or another tool would. Other keys (error, effects, result…) are ignored.
 */
export const OpSchema = z.looseObject({
  method: z.string().min(1),
  sandboxID: z.string().optional(),
  containerID: z.string().optional(),
  resource: z.string().optional(),
  resources: z.array(z.string()).nullable().optional(),
  goType: z.string().optional(),
  data: z.unknown().optional(),
  dataGoTypes: z.array(z.string()).optional(),
  dataUnmarshalable: z.string().optional(),
  path: z.string().optional(),
  content: z.string().optional(),
  mode: z
    .string()
    .regex(/^0?[0-7]{3,4}$/)
    .optional(),
  /** a mutation is refused with ECONFLICT unless the sandbox's last event has this sequence number */
  expectSeq: z.number().int().nonnegative().optional(),
});
export const OpsFileSchema = z.array(OpSchema);
export type Op = z.infer<typeof OpSchema>;

/** The value an op returns, as Go's json.Marshal would write it; null for stores and deletes. */
export type OpResult = string | null;

/** What an op did: its Go result, and for a mutation the event it appended. */
export interface OpOutcome {
  result: OpResult;
  event?: JournalEvent;
}

const goName = (t: string | undefined) => (t ?? '<nil>').replaceAll('virtcontainers.', '');
const sid = (op: Op) => op.sandboxID ?? '';
const w = (op: Op): WriteOptions => (op.expectSeq === undefined ? {} : { expectSeq: op.expectSeq });
const cid = (op: Op) => op.containerID ?? '';

/** `sandboxResource(42)` is how the fixtures name an out-of-range resource. */
function resourceArg(name: string | undefined): unknown {
  const match = /^sandboxResource\((-?\d+)\)$/.exec(name ?? '');
  return match ? Number(match[1]) : name;
}

function resourcesArg(op: Op): unknown[] | null {
  return op.resources === undefined || op.resources === null ? null : op.resources.map(resourceArg);
}

/** The Go value behind `data`: interface values (devices, endpoints) get their concrete type back. */
export function typedData(op: Op): { type: string; value: unknown } {
  if (op.dataUnmarshalable !== undefined) {
    throw errUsage(`op carries no data: the value could not be marshaled (${op.dataUnmarshalable})`);
  }
  const type = goName(op.goType);
  if (type === '[]Device') return { type, value: devicesOf(op) };
  if (type === 'NetworkNamespace') return { type, value: networkOf(op.data) };
  return { type, value: op.data ?? null };
}

function devicesOf(op: Op): unknown {
  if (!Array.isArray(op.data)) return op.data ?? null;
  return op.data.map((typed: { Data?: unknown }, i: number) => ({
    type: goName(op.dataGoTypes?.[i]).replace(/^\*/, ''),
    value: typed.Data,
  }));
}

const ENDPOINT_TYPES: Record<string, string> = {
  virtual: 'VirtualEndpoint',
  physical: 'PhysicalEndpoint',
  'vhost-user': 'VhostUserEndpoint',
};

function networkOf(data: unknown): unknown {
  const ns = data as { Endpoints?: Array<{ Type?: string; Data?: Record<string, unknown> }> | null } | null;
  if (!ns || !Array.isArray(ns.Endpoints)) return ns;
  const endpoints = ns.Endpoints.map(({ Type, Data }) => ({ type: endpointType(Type, Data), value: Data }));
  return { ...ns, Endpoints: endpoints };
}

/** The file names the type only by its EndpointType field; an untyped one is known by its fields. */
function endpointType(type: string | undefined, data: Record<string, unknown> | undefined): string {
  if (type && ENDPOINT_TYPES[type]) return ENDPOINT_TYPES[type];
  if (data && 'NetPair' in data) return 'VirtualEndpoint';
  if (data && 'SocketPath' in data) return 'VhostUserEndpoint';
  return 'PhysicalEndpoint';
}

/** fetch*State targets: `*virtcontainers.QemuState` decodes into QemuState, `*interface {}` into anything. */
function fetchTarget(goType: string | undefined): string {
  const t = goName(goType).replaceAll(' ', '');
  return t.startsWith('*') ? t.slice(1) : `non-pointer ${t}`;
}

/** Each argument of a legacy method, read from an op's keys. */
const ARGS: Record<Arg, (op: Op, spec: MethodSpec) => unknown> = {
  // createAllResources took a *Sandbox: the fixtures give its ID and containers in `data`.
  sandboxID: (op, spec) => (spec.kind === 'create' ? (sandboxOf(op).sandboxID ?? sid(op)) : sid(op)),
  containerID: cid,
  containerIDs: (op) => sandboxOf(op).containerIDs ?? [],
  resource: (op) => resourceArg(op.resource),
  resources: resourcesArg,
  data: typedData,
  value: (op) => typedData(op).value,
  target: (op) => fetchTarget(op.goType),
};

const sandboxOf = (op: Op) => (op.data ?? {}) as { sandboxID?: string; containerIDs?: string[] };

/** A legacy method called with the op's arguments, in the Go order its row of the method table gives. */
async function runMethod(store: Store, spec: MethodSpec, op: Op): Promise<OpOutcome> {
  const args = spec.args.map((arg) => ARGS[arg](op, spec));
  const core = storeCore(store);
  if (isMutation(spec)) return { result: null, event: await callMutation(core, spec, [...args, w(op)]) };
  if (spec.kind === 'uri') {
    const { path: file, dir } = callUri(core, spec, args);
    return { result: encodePayload('map[string]interface{}', { path: file, dir }) };
  }
  const { type, value } = callFetch(core, spec, args);
  return { result: encodePayload(type, value) };
}

/** Runs one op against a store whose tree lies under `base`. Errors are thrown, as the library throws them. */
export async function applyOp(store: Store, base: string, op: Op): Promise<OpOutcome> {
  if (op.method === '_writeFile' || op.method === '_mkdir') {
    await harnessStep(base, op);
    return { result: null };
  }
  if (!isLegacyMethod(op.method)) throw errUsage(`unknown method ${JSON.stringify(op.method)}`);
  return runMethod(store, LEGACY_METHODS[op.method], op);
}

/** The op's Go result alone, as the legacy code returned it. */
export async function runOp(store: Store, base: string, op: Op): Promise<OpResult> {
  return (await applyOp(store, base, op)).result;
}

async function harnessStep(base: string, op: Op): Promise<void> {
  try {
    await writeDirectly(base, op);
  } catch (err) {
    throw osError(op.method === '_mkdir' ? 'mkdir' : 'open', op.path ?? '', err);
  }
}

async function writeDirectly(base: string, op: Op): Promise<void> {
  if (op.path === undefined) throw errUsage(`${op.method} needs a path`);
  const target = path.resolve(base, op.path);
  if (!target.startsWith(path.resolve(base) + path.sep)) {
    throw errUsage(`${op.method} path ${JSON.stringify(op.path)} leaves the root`);
  }
  const mode = op.mode === undefined ? undefined : parseInt(op.mode, 8);
  if (op.method === '_mkdir') {
    await mkdir(target, { recursive: true, mode: mode ?? 0o750 });
  } else {
    await mkdir(path.dirname(target), { recursive: true, mode: 0o750 });
    await writeFile(target, op.content ?? '', { mode: mode ?? 0o644 });
  }
}

/**
 * Building blocks for the persisted Go types. Each field helper carries the Go
 * zero value as its default, so a partial input is completed the way a Go
 * struct literal is: `""`, `0`, `false`, nil (`null`) for slices, maps and
 * pointers, zeroed nested structs.
 */
import { z } from 'zod';
import { canonicalBase64, canonicalIP } from '../go-net.ts';
import { type GoStructMeta, withGo } from '../go-schema.ts';
import { ZERO_TIME, goTime } from '../go-time.ts';

const RANGES = {
  int: [-(2n ** 63n), 2n ** 63n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint: [0n, 2n ** 64n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  uint8: [0n, 255n],
} as const;

export type IntKind = keyof typeof RANGES;

const describe = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Range-check an integer and give it back as a number when safe, else as a bigint (-0 becomes 0). */
export function checkInt(v: unknown, kind: IntKind): { value: number | bigint } | { error: string } {
  let n: bigint;
  if (typeof v === 'bigint') n = v;
  else if (typeof v === 'number' && Number.isSafeInteger(v)) n = BigInt(v);
  else if (typeof v === 'number' && Number.isInteger(v))
    return { error: `expected a safe integer or a bigint, got ${v}` };
  else if (typeof v === 'number') return { error: `expected an integer, got ${v}` };
  else return { error: `expected an integer, got ${describe(v)}` };
  const [min, max] = RANGES[kind];
  if (n < min || n > max) return { error: `${n} is out of range for ${kind} (${min} to ${max})` };
  return { value: n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n };
}

/** The integer kinds whose every value is a safe JavaScript number. */
type SmallInt = 'uint32' | 'uint8';
const isSmall = (kind: IntKind): kind is SmallInt => kind === 'uint32' || kind === 'uint8';

/** Any value reaches the range check, which words the refusal; the input type says what a caller may pass. */
function intSchema<T extends number | bigint>(kind: IntKind, name: string, toValue: (n: number | bigint) => T) {
  const schema = z.custom<number | bigint>().transform((v, ctx) => {
    const r = checkInt(v, kind);
    if ('value' in r) return toValue(r.value);
    ctx.issues.push({ code: 'custom', input: v, message: r.error });
    return z.NEVER;
  });
  const [min, max] = RANGES[kind];
  return withGo(schema, { kind: 'int', name, min, max });
}

/**
 * A Go integer type; `name` is the Go type when it is a named one (os.FileMode).
 * A value within 2^53 is a number; only the 64-bit kinds can give a bigint.
 */
export function goInt(kind: SmallInt, name?: string): ReturnType<typeof intSchema<number>>;
export function goInt(kind: IntKind, name?: string): ReturnType<typeof intSchema<number | bigint>>;
export function goInt(kind: IntKind, name: string = kind) {
  return isSmall(kind) ? intSchema(kind, name, Number) : intSchema(kind, name, (n) => n);
}

/** A map key of an unsigned Go integer type: decimal text, as Go writes it. */
export function goUintKey(kind: 'uint32') {
  const [min, max] = RANGES[kind];
  const schema = z.string().refine((k) => /^(0|[1-9]\d*)$/.test(k) && BigInt(k) <= max, {
    message: `expected a ${kind} map key in decimal`,
  });
  return withGo(schema, { kind: 'int', name: kind, min, max });
}

export const goString = (name = 'string') => withGo(z.string(), { kind: 'string', name });
export const goBool = () => withGo(z.boolean(), { kind: 'bool', name: 'bool' });
export const goAny = () => withGo(z.unknown(), { kind: 'any', name: 'interface {}' });

/** A Go struct: unknown members are kept and written after the known ones. */
export function goStruct<S extends z.core.$ZodLooseShape>(name: string, shape: S, extra: Partial<GoStructMeta> = {}) {
  return withGo(z.looseObject(shape), { ...extra, kind: 'struct', name });
}

/** A []byte-based type (net.HardwareAddr, net.IPMask): base64 text, nil is null. */
export function goBytes(name: string) {
  const schema = z.string().transform((s, ctx) => {
    const b64 = canonicalBase64(s);
    if (b64 !== null) return b64;
    ctx.issues.push({ code: 'custom', input: s, message: `expected base64 for ${name}, got ${JSON.stringify(s)}` });
    return z.NEVER;
  });
  return withGo(schema, { kind: 'bytes', name });
}

/** net.IP: its text form ("" for nil), normalized as Go prints it. */
export function goIP() {
  const schema = z.string().transform((s, ctx) => {
    const ip = canonicalIP(s);
    if (ip !== null) return ip;
    ctx.issues.push({ code: 'custom', input: s, message: `invalid IP address: ${s}` });
    return z.NEVER;
  });
  return withGo(schema, { kind: 'ip', name: 'net.IP' });
}

/** json.RawMessage: kept as parsed JSON; a missing member stays undefined (a nil RawMessage). */
export const rawMessage = () => withGo(z.unknown(), { kind: 'raw', name: 'json.RawMessage' }).optional();

/** An interface type with methods (netlink.Destination): written as whatever it holds. */
export const goIface = (name: string) => withGo(z.unknown(), { kind: 'iface', name }).default(null);

// Field helpers: the Go type with its zero value.
export const str = (name?: string) => goString(name).default('');
export const bool = () => goBool().default(false);
export function int(kind: SmallInt, name?: string): ReturnType<ReturnType<typeof intSchema<number>>['default']>;
export function int(
  kind?: IntKind,
  name?: string,
): ReturnType<ReturnType<typeof intSchema<number | bigint>>['default']>;
export function int(kind: IntKind = 'int', name?: string) {
  return goInt(kind, name).default(0);
}
export const any = () => goAny().default(null);
export const time = () => goTime().default(ZERO_TIME);
export const ip = () => goIP().default('');
export const bytes = (name: string) => goBytes(name).nullable().default(null);
export const slice = <T extends z.ZodType>(element: T) => z.array(element).nullable().default(null);
export const stringMap = () => z.record(z.string(), goString()).nullable().default(null);
export const ptr = <T extends z.ZodType>(target: T) => target.nullable().default(null);
// Every field of a Go struct schema has its zero value as default, so `{}` is a valid input; the compiler
// cannot see that through the generic struct type.
export const embed = <T extends z.ZodType>(struct: T) => struct.prefault({} as z.input<T>);

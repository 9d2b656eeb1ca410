/**
 * What a zod schema stands for in Go. The encoder and the decoder walk zod
 * schemas; zod alone cannot say "this string is a time.Time" or "this number is
 * a uint32", so the Go facts are attached to schemas here. The walk uses zod's
 * public classes (`instanceof`, `.unwrap()`, `.shape`, `.element`), never its
 * internals.
 */
import { z } from 'zod';

/** Any zod schema: `.unwrap()` and friends give the core type, so the walk takes that. */
export type Schema = z.core.$ZodType;

export type GoLeaf =
  | { kind: 'int'; name: string; min: bigint; max: bigint }
  | { kind: 'string' | 'bool' | 'bytes' | 'ip' | 'time' | 'any' | 'raw'; name: string }
  /** An interface with methods (netlink.Destination): only null can be decoded. */
  | { kind: 'iface'; name: string };

export interface GoStructMeta {
  kind: 'struct';
  name: string;
  /** Go's reflect Name(), used in "Go struct field X.f" errors; default: name after the package. */
  short?: string;
  /** Fields promoted from an embedded pointer, with their zero values: all present or all absent. */
  embeddedPointer?: Record<string, unknown>;
}

export type GoMeta = GoLeaf | GoStructMeta;

export type StructNode = GoStructMeta & { shape: Readonly<Record<string, Schema>>; schema: Schema };

export type GoNode =
  GoLeaf | StructNode | { kind: 'slice'; element: Schema } | { kind: 'map'; key: Schema; value: Schema };

export interface Resolved {
  node: GoNode;
  /** a nil-able value: a pointer, or a slice or map marked nullable */
  nullable: boolean;
}

const registry = new WeakMap<Schema, GoMeta>();

export function withGo<T extends Schema>(schema: T, meta: GoMeta): T {
  registry.set(schema, meta);
  return schema;
}

// Schemas never change once built, so each one is resolved once.
const resolved = new WeakMap<Schema, Resolved>();

/** The Go kind behind a schema, looking through zod wrappers; `nullable` marks nil-able values. */
export function resolve(schema: Schema): Resolved {
  let result = resolved.get(schema);
  if (result === undefined) {
    result = walk(schema);
    resolved.set(schema, result);
  }
  return result;
}

function walk(schema: Schema): Resolved {
  let nullable = false;
  for (let s = schema; ;) {
    const meta = registry.get(s);
    if (meta?.kind === 'struct') return { node: { ...meta, shape: shapeOf(s), schema: s }, nullable };
    if (meta) return { node: meta, nullable };
    if (s instanceof z.ZodNullable) nullable = true;
    const inner = innerOf(s);
    if (inner === undefined) return { node: plainNode(s), nullable };
    s = inner;
  }
}

/** The schema a wrapper stands around (a pipe's input side), or undefined for a schema that wraps nothing. */
function innerOf(s: Schema): Schema | undefined {
  if (
    s instanceof z.ZodNullable ||
    s instanceof z.ZodDefault ||
    s instanceof z.ZodPrefault ||
    s instanceof z.ZodOptional ||
    s instanceof z.ZodExactOptional ||
    s instanceof z.ZodNonOptional ||
    s instanceof z.ZodReadonly ||
    s instanceof z.ZodCatch
  ) {
    return s.unwrap();
  }
  return s instanceof z.ZodPipe ? s.in : undefined;
}

function shapeOf(s: Schema): Readonly<Record<string, Schema>> {
  return s instanceof z.ZodObject ? s.shape : {};
}

function plainNode(s: Schema): GoNode {
  if (s instanceof z.ZodObject) return { kind: 'struct', name: 'struct', shape: s.shape, schema: s };
  if (s instanceof z.ZodArray) return { kind: 'slice', element: s.element };
  if (s instanceof z.ZodRecord) return { kind: 'map', key: s.keyType, value: s.valueType };
  // the core classes: string formats (z.email()…) are strings without being ZodString
  if (s instanceof z.core.$ZodString) return { kind: 'string', name: 'string' };
  if (s instanceof z.core.$ZodBoolean) return { kind: 'bool', name: 'bool' };
  return { kind: 'any', name: 'interface {}' };
}

/** The Go type as `%v` of reflect.Type prints it, for error messages. */
export function goTypeName(schema: Schema): string {
  const { node } = resolve(schema);
  if (node.kind === 'slice') return `[]${elementName(node.element)}`;
  if (node.kind === 'map') return `map[${goTypeName(node.key)}]${elementName(node.value)}`;
  return node.name;
}

function elementName(schema: Schema): string {
  const { node, nullable } = resolve(schema);
  const pointer = nullable && node.kind !== 'slice' && node.kind !== 'map' && node.kind !== 'bytes';
  return (pointer ? '*' : '') + goTypeName(schema);
}

/** The Go zero value of a schema: its zod default when it has one, else by kind. */
export function zeroOf(schema: Schema): unknown {
  const parsed = z.safeParse(schema, undefined);
  if (parsed.success) return parsed.data;
  const { node, nullable } = resolve(schema);
  if (nullable) return null;
  switch (node.kind) {
    case 'struct':
      return z.parse(node.schema, {});
    case 'int':
      return 0;
    case 'string':
    case 'ip':
      return '';
    case 'bool':
      return false;
    case 'time':
      return '0001-01-01T00:00:00Z';
    case 'raw':
      return undefined;
    default:
      return null;
  }
}

/**
 * What a zod schema stands for in Go. The encoder and the decoder walk zod
 * schemas; zod alone cannot say "this string is a time.Time" or "this number is
 * a uint32", so the Go facts are attached to schemas here.
 */
import type { z } from 'zod';

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

export type GoNode =
  | GoLeaf
  | (GoStructMeta & { shape: Record<string, z.ZodType>; schema: z.ZodType })
  | { kind: 'slice'; element: z.ZodType }
  | { kind: 'map'; key: z.ZodType; value: z.ZodType };

const registry = new WeakMap<z.ZodType, GoMeta>();

export function withGo<T extends z.ZodType>(schema: T, meta: GoMeta): T {
  registry.set(schema, meta);
  return schema;
}

interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
}

const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nonoptional', 'readonly', 'catch']);

/** The Go kind behind a schema, looking through zod wrappers; `nullable` marks nil-able values. */
export function resolve(schema: z.ZodType): { node: GoNode; nullable: boolean } {
  let nullable = false;
  for (let s = schema; ;) {
    const meta = registry.get(s);
    const def = s._zod.def as unknown as Def;
    if (meta?.kind === 'struct' || (!meta && def.type === 'object')) {
      return { node: { kind: 'struct', name: 'struct', ...meta, shape: def.shape ?? {}, schema: s }, nullable };
    }
    if (meta) return { node: meta, nullable };
    if (def.type === 'nullable') nullable = true;
    if (def.type === 'nullable' || WRAPPERS.has(def.type)) s = def.innerType as z.ZodType;
    else if (def.type === 'pipe') s = def.in as z.ZodType;
    else return { node: plainNode(def), nullable };
  }
}

function plainNode(def: Def): GoNode {
  switch (def.type) {
    case 'array':
      return { kind: 'slice', element: def.element as z.ZodType };
    case 'record':
      return { kind: 'map', key: def.keyType as z.ZodType, value: def.valueType as z.ZodType };
    case 'string':
      return { kind: 'string', name: 'string' };
    case 'boolean':
      return { kind: 'bool', name: 'bool' };
    default:
      return { kind: 'any', name: 'interface {}' };
  }
}

/** The Go type as `%v` of reflect.Type prints it, for error messages. */
export function goTypeName(schema: z.ZodType): string {
  const { node } = resolve(schema);
  if (node.kind === 'slice') return `[]${elementName(node.element)}`;
  if (node.kind === 'map') return `map[${goTypeName(node.key)}]${elementName(node.value)}`;
  return node.name;
}

function elementName(schema: z.ZodType): string {
  const { node, nullable } = resolve(schema);
  const pointer = nullable && node.kind !== 'slice' && node.kind !== 'map' && node.kind !== 'bytes';
  return (pointer ? '*' : '') + goTypeName(schema);
}

/** The Go zero value of a schema: its zod default when it has one, else by kind. */
export function zeroOf(schema: z.ZodType): unknown {
  const parsed = schema.safeParse(undefined);
  if (parsed.success) return parsed.data;
  const { node, nullable } = resolve(schema);
  if (nullable) return null;
  switch (node.kind) {
    case 'struct':
      return node.schema.parse({});
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

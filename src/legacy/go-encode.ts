/**
 * json.Marshal, driven by a zod schema that stands for the Go type: struct
 * fields in declaration order, Go maps sorted by UTF-8 bytes, compact output,
 * no trailing newline.
 */
import { errMarshal } from '../errors.ts';
import { type GoNode, type Schema, type StructNode, resolve } from './go-schema.ts';
import { compareUtf8, encodeNumber, encodeString } from './go-string.ts';
import { marshalTime } from './go-time.ts';
import { isPlainObject } from './json-parse.ts';
import { realKey } from './value-bounds.ts';

const byRealKey = (a: string, b: string) => compareUtf8(realKey(a), realKey(b));

/** Encode a value as Go would marshal the type the schema stands for. */
export function encodeGo(schema: Schema, value: unknown): string {
  return new Encoder().typed(schema, value);
}

/** Encode a value held in an interface{}: objects keep their order unless JS could not. */
export function encodeAny(value: unknown): string {
  return new Encoder().any(value);
}

// JS lists these keys first, in numeric order; only Go maps (sorted) produce them.
const ARRAY_INDEX = /^(0|[1-9]\d*)$/;
const isIndexKey = (k: string) => ARRAY_INDEX.test(k) && Number(k) < 2 ** 32 - 1;

class Encoder {
  // objects on the current path, for Go's cycle error
  private readonly path = new Set<object>();

  typed(schema: Schema, value: unknown): string {
    if (value === null || value === undefined) return 'null';
    const { node } = resolve(schema);
    return this.node(node, value);
  }

  private node(node: GoNode, value: unknown): string {
    if (node.kind === 'time') return encodeString(marshalTime(value));
    if (node.kind === 'struct' && isPlainObject(value)) return this.within(value, () => this.struct(node, value));
    if (node.kind === 'slice' && Array.isArray(value)) {
      return this.within(value, () => `[${value.map((v) => this.typed(node.element, v)).join(',')}]`);
    }
    if (node.kind === 'map' && isPlainObject(value)) {
      const keys = Object.keys(value)
        .filter((k) => value[k] !== undefined)
        .sort(byRealKey);
      return this.within(value, () => this.members(keys, (k) => this.typed(node.value, value[k])));
    }
    return this.any(value);
  }

  private struct(node: StructNode, value: Record<string, unknown>): string {
    const embedded = node.embeddedPointer ?? {};
    const pointerSet = Object.keys(embedded).some((k) => value[k] !== undefined);
    const field = (k: string) => (value[k] === undefined && pointerSet && k in embedded ? embedded[k] : value[k]);
    const known = Object.entries(node.shape).filter(([k]) => field(k) !== undefined);
    const extraKeys = Object.keys(value).filter((k) => !Object.hasOwn(node.shape, k) && value[k] !== undefined);
    const parts = known.map(([k, schema]) => `${encodeString(k)}:${this.typed(schema, field(k))}`);
    for (const k of extraKeys) parts.push(`${encodeString(realKey(k))}:${this.any(value[k])}`);
    return `{${parts.join(',')}}`;
  }

  any(value: unknown): string {
    switch (typeof value) {
      case 'undefined':
        return 'null';
      case 'boolean':
        return String(value);
      case 'number':
      case 'bigint':
        return encodeNumber(value);
      case 'string':
        return encodeString(value);
      case 'object':
        return value === null ? 'null' : this.object(value);
      default:
        throw errMarshal(`json: unsupported type: ${typeof value}`);
    }
  }

  private object(value: object): string {
    if (value instanceof Date) return encodeString(marshalTime(value));
    if (Array.isArray(value)) return this.within(value, () => `[${value.map((v) => this.any(v)).join(',')}]`);
    if (!isPlainObject(value)) throw errMarshal(`json: unsupported type: ${value.constructor?.name ?? 'object'}`);
    const keys = Object.keys(value).filter((k) => value[k] !== undefined);
    if (keys.some(isIndexKey)) keys.sort(byRealKey);
    return this.within(value, () => this.members(keys, (k) => this.any(value[k])));
  }

  private members(keys: string[], encodeValue: (k: string) => string): string {
    return `{${keys.map((k) => `${encodeString(realKey(k))}:${encodeValue(k)}`).join(',')}}`;
  }

  private within(value: object, encode: () => string): string {
    if (this.path.has(value)) {
      const via = Array.isArray(value) ? '[]interface {}' : 'map[string]interface {}';
      throw errMarshal(`json: unsupported value: encountered a cycle via ${via}`);
    }
    this.path.add(value);
    try {
      return encode();
    } finally {
      this.path.delete(value);
    }
  }
}

import type { z } from 'zod';
import { type DecodeContext, isJsonObject, jsonKind, rootContext, typeError } from './go-decode-error.ts';
import { decodeInt, decodeLeaf } from './go-decode-scalar.ts';
import { type GoNode, type Schema, type StructNode, goTypeName, resolve, zeroOf } from './go-schema.ts';
import { compareUtf8 } from './go-string.ts';
import { isPlainObject, objectEntries, setOwn } from './json-parse.ts';

/** Decode parsed JSON (see parseJson; `literal` numbers give Go's exact int rules) into the schema's output type. */
export function decodeGo<S extends Schema>(schema: S, json: unknown): z.output<S> {
  // The walk builds what parsing with S gives (every field, Go's zero values, ints as number or bigint);
  // it is driven by the schema at run time, so the compiler cannot follow it to the output type.
  return decodeValue(schema, json, zeroOf(schema), rootContext()) as z.output<S>;
}

function decodeValue(schema: Schema, json: unknown, current: unknown, ctx: DecodeContext): unknown {
  const { node, nullable } = resolve(schema);
  if (json === null) return decodeNull(node, nullable, current);
  switch (node.kind) {
    case 'struct':
      return decodeStruct(node, json, current, ctx);
    case 'slice':
      return decodeSlice(schema, node.element, json, current, ctx);
    case 'map':
      return decodeMap(schema, node, json, current, ctx);
    default:
      return decodeLeaf(node, json, ctx);
  }
}

function decodeNull(node: GoNode, nullable: boolean, current: unknown): unknown {
  if (node.kind === 'ip') return ''; // a nil net.IP, written back as ""
  const nilable = ['slice', 'map', 'bytes', 'any', 'iface', 'raw'].includes(node.kind);
  return nullable || nilable ? null : current;
}

function decodeStruct(node: StructNode, json: unknown, current: unknown, ctx: DecodeContext): unknown {
  if (!isJsonObject(json)) throw typeError(jsonKind(json), node.name, ctx);
  const start = isPlainObject(current) ? current : zeroOf(node.schema);
  // a struct's zero value is always a plain object: the empty fallback is never taken
  const out: Record<string, unknown> = isPlainObject(start) ? { ...start } : {};
  const fields = Object.entries(node.shape);
  const matched = new Set<string>();
  const struct = node.short ?? node.name.slice(node.name.lastIndexOf('.') + 1);
  for (const [key, value] of objectEntries(json)) {
    const field = findField(fields, key);
    if (field === undefined) continue;
    const [name, schema] = field;
    matched.add(name);
    out[name] = decodeValue(schema, value, out[name], { struct, fields: [...ctx.fields, name] });
  }
  // touching a promoted field of a nil embedded pointer allocates it
  const embedded = node.embeddedPointer ?? {};
  if (Object.keys(embedded).some((k) => matched.has(k))) {
    for (const [k, zero] of Object.entries(embedded)) if (out[k] === undefined) out[k] = zero;
  }
  const ordered: Record<string, unknown> = {};
  for (const [k] of fields) if (out[k] !== undefined) ordered[k] = out[k];
  return ordered;
}

const foldKey = (s: string) =>
  s
    .replace(/[A-Z]/g, (c) => c.toLowerCase())
    .replace(/ſ/g, 's')
    .replace(/\u212a/g, 'k');

type Field = [name: string, schema: Schema];

/** Go's field lookup: an exact name first, else the first name equal under case folding. */
function findField(fields: Field[], key: string): Field | undefined {
  const exact = fields.find(([name]) => name === key);
  if (exact !== undefined) return exact;
  const folded = foldKey(key);
  return fields.find(([name]) => foldKey(name) === folded);
}

function decodeSlice(schema: Schema, element: Schema, json: unknown, current: unknown, ctx: DecodeContext) {
  if (!Array.isArray(json)) throw typeError(jsonKind(json), goTypeName(schema), ctx);
  const previous = Array.isArray(current) ? current : [];
  // Go decodes into the elements already there
  return json.map((v, i) => decodeValue(element, v, i < previous.length ? previous[i] : zeroOf(element), ctx));
}

function decodeMap(
  schema: Schema,
  node: Extract<GoNode, { kind: 'map' }>,
  json: unknown,
  current: unknown,
  ctx: DecodeContext,
) {
  if (!isJsonObject(json)) throw typeError(jsonKind(json), goTypeName(schema), ctx);
  const entries = new Map<string, unknown>(isPlainObject(current) ? Object.entries(current) : []);
  const { node: keyNode } = resolve(node.key);
  for (const [k, v] of objectEntries(json)) {
    const key = keyNode.kind === 'int' ? String(decodeInt(k, keyNode, rootContext())) : k;
    entries.set(key, decodeValue(node.value, v, zeroOf(node.value), ctx));
  }
  const out: Record<string, unknown> = {};
  for (const k of [...entries.keys()].sort(compareUtf8)) setOwn(out, k, entries.get(k));
  return out;
}

/**
 * json.Unmarshal into the Go type a zod schema stands for, into a fresh zero
 * value: struct keys matched exactly, then case-insensitively; each member is
 * applied in file order (so the last duplicate wins, and a later object merges
 * into an earlier one as Go decodes into the existing value); unknown keys are
 * ignored; `null` zeroes slices, maps, pointers and interfaces and leaves
 * everything else as it was.
 */
import type { z } from 'zod';
import { type DecodeContext, jsonKind, rootContext, typeError } from './go-decode-error.ts';
import { decodeInt, decodeLeaf } from './go-decode-scalar.ts';
import { type GoNode, goTypeName, resolve, zeroOf } from './go-schema.ts';
import { compareUtf8 } from './go-string.ts';
import { isPlainObject, objectEntries, setOwn } from './json-parse.ts';

type StructNode = Extract<GoNode, { kind: 'struct' }>;

/** Decode parsed JSON (see parseJson; `literal` numbers give Go's exact int rules) into a typed value. */
export function decodeGo(schema: z.ZodType, json: unknown): unknown {
  return decodeValue(schema, json, zeroOf(schema), rootContext());
}

function decodeValue(schema: z.ZodType, json: unknown, current: unknown, ctx: DecodeContext): unknown {
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
  if (jsonKind(json) !== 'object') throw typeError(jsonKind(json), node.name, ctx);
  const out: Record<string, unknown> = isPlainObject(current)
    ? { ...current }
    : (zeroOf(node.schema) as Record<string, unknown>);
  const names = Object.keys(node.shape);
  const matched = new Set<string>();
  const struct = node.short ?? node.name.slice(node.name.lastIndexOf('.') + 1);
  for (const [key, value] of objectEntries(json as object)) {
    const field = findField(names, key);
    if (field === undefined) continue;
    matched.add(field);
    const sub = { struct, fields: [...ctx.fields, field] };
    out[field] = decodeValue(node.shape[field], value, out[field], sub);
  }
  // touching a promoted field of a nil embedded pointer allocates it
  const embedded = node.embeddedPointer ?? {};
  if (Object.keys(embedded).some((k) => matched.has(k))) {
    for (const [k, zero] of Object.entries(embedded)) if (out[k] === undefined) out[k] = zero;
  }
  const ordered: Record<string, unknown> = {};
  for (const k of names) if (out[k] !== undefined) ordered[k] = out[k];
  return ordered;
}

const foldKey = (s: string) =>
  s
    .replace(/[A-Z]/g, (c) => c.toLowerCase())
    .replace(/ſ/g, 's')
    .replace(/\u212a/g, 'k');

/** Go's field lookup: an exact name first, else the first name equal under case folding. */
function findField(names: string[], key: string): string | undefined {
  if (names.includes(key)) return key;
  const folded = foldKey(key);
  return names.find((n) => foldKey(n) === folded);
}

function decodeSlice(schema: z.ZodType, element: z.ZodType, json: unknown, current: unknown, ctx: DecodeContext) {
  if (!Array.isArray(json)) throw typeError(jsonKind(json), goTypeName(schema), ctx);
  const previous = Array.isArray(current) ? current : [];
  // Go decodes into the elements already there
  return json.map((v, i) => decodeValue(element, v, i < previous.length ? previous[i] : zeroOf(element), ctx));
}

function decodeMap(
  schema: z.ZodType,
  node: Extract<GoNode, { kind: 'map' }>,
  json: unknown,
  current: unknown,
  ctx: DecodeContext,
) {
  if (jsonKind(json) !== 'object') throw typeError(jsonKind(json), goTypeName(schema), ctx);
  const entries = new Map<string, unknown>(isPlainObject(current) ? Object.entries(current) : []);
  const { node: keyNode } = resolve(node.key);
  for (const [k, v] of objectEntries(json as object)) {
    const key = keyNode.kind === 'int' ? String(decodeInt(k, keyNode, rootContext())) : k;
    entries.set(key, decodeValue(node.value, v, zeroOf(node.value), ctx));
  }
  const out: Record<string, unknown> = {};
  for (const k of [...entries.keys()].sort(compareUtf8)) setOwn(out, k, entries.get(k));
  return out;
}

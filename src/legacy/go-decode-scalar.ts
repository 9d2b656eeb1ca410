/** json.Unmarshal into Go's non-composite types: ints, strings, bools, time, net types, interfaces. */
import { errDecode } from '../errors.ts';
import { type DecodeContext, jsonKind, numberText, typeError } from './go-decode-error.ts';
import { base64ErrorOffset, canonicalBase64, canonicalIP } from './go-net.ts';
import type { GoLeaf } from './go-schema.ts';
import { unmarshalTime } from './go-time.ts';
import { compareUtf8 } from './go-string.ts';
import { JsonNumber, objectEntries, setOwn } from './json-parse.ts';

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** strconv.ParseInt/ParseUint plus the type's range, as literalStore does; number or bigint. */
export function decodeInt(text: string, node: Extract<GoLeaf, { kind: 'int' }>, ctx: DecodeContext): number | bigint {
  const ok = node.min < 0n ? /^-?\d+$/ : /^\d+$/;
  const n = ok.test(text) ? BigInt(text) : null;
  if (n === null || n < node.min || n > node.max) throw typeError(`number ${text}`, node.name, ctx);
  return n >= -SAFE && n <= SAFE ? Number(n) : n;
}

export function decodeLeaf(node: GoLeaf, json: unknown, ctx: DecodeContext): unknown {
  const kind = jsonKind(json);
  switch (node.kind) {
    case 'int':
      if (kind === 'number') return decodeInt(numberText(json), node, ctx);
      break;
    case 'string':
    case 'bool':
      if (kind === node.kind) return json;
      break;
    case 'time':
      return unmarshalTime(typeof json === 'string' ? `"${json}"` : rawText(json));
    case 'ip':
      if (typeof json === 'string') return decodeIP(json);
      break;
    case 'bytes':
      if (typeof json === 'string') return decodeBase64(json);
      if (Array.isArray(json)) return decodeByteArray(json, ctx);
      break;
    case 'any':
      return decodeAny(json);
    case 'raw':
      return json;
    case 'iface':
      break; // only null, handled before, goes into an interface with methods
  }
  throw typeError(kind, node.name, ctx);
}

/** net.IP's UnmarshalText. */
function decodeIP(s: string): string {
  const ip = canonicalIP(s);
  if (ip === null) throw errDecode(`invalid IP address: ${s}`);
  return ip;
}

function decodeBase64(s: string): string {
  const b64 = canonicalBase64(s);
  if (b64 === null) throw errDecode(`illegal base64 data at input byte ${base64ErrorOffset(s)}`);
  return b64;
}

// a []byte also accepts a JSON array of numbers
function decodeByteArray(json: unknown[], ctx: DecodeContext): string {
  const uint8: GoLeaf = { kind: 'int', name: 'uint8', min: 0n, max: 255n };
  const bytes = json.map((v) => (v === null ? 0 : Number(decodeLeaf(uint8, v, ctx))));
  return Buffer.from(bytes).toString('base64');
}

/** interface{}: Go's generic values (maps re-sorted, every number a float64). */
export function decodeAny(json: unknown): unknown {
  if (jsonKind(json) === 'number') {
    const text = numberText(json);
    const n = Number(text);
    if (!Number.isFinite(n)) throw errDecode(`json: cannot unmarshal number ${text} into Go value of type float64`);
    return n;
  }
  if (Array.isArray(json)) return json.map(decodeAny);
  if (json === null || typeof json !== 'object') return json;
  const map = new Map<string, unknown>();
  for (const [k, v] of objectEntries(json)) map.set(k, decodeAny(v));
  const out: Record<string, unknown> = {};
  for (const k of [...map.keys()].sort(compareUtf8)) setOwn(out, k, map.get(k));
  return out;
}

/** Compact JSON text of a parsed value, for errors that quote the raw input. */
function rawText(json: unknown): string {
  if (json instanceof JsonNumber || typeof json === 'number' || typeof json === 'bigint') return numberText(json);
  if (Array.isArray(json)) return `[${json.map(rawText).join(',')}]`;
  if (json !== null && typeof json === 'object') {
    return `{${objectEntries(json)
      .map(([k, v]) => `${JSON.stringify(k)}:${rawText(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(json);
}

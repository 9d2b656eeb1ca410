import { errPayload } from '../errors.ts';
import { isPlainObject } from './json-parse.ts';

/**
 * The largest payload accepted, counted on the value before anything else is
 * done with it: string and key lengths plus one per value. Legacy files are a
 * few kilobytes; this bound keeps validation, encoding and the journal record
 * linear and far below V8's string limit (the encoded form is at most about
 * six times larger, when every character must be escaped).
 */
export const MAX_PAYLOAD = 8 * 1024 * 1024;

/**
 * A map key that zod would turn into a prototype when it copies the value:
 * `__proto__` travels under this name through validation, and the encoder
 * writes it back (see `realKey`). Not a valid UTF-8 string, so no real key
 * can collide with it.
 */
export const PROTO_KEY = '__proto__\ud800';
export const realKey = (k: string) => (k === PROTO_KEY ? '__proto__' : k);

/**
 * Refuses a value larger than `MAX_PAYLOAD` (EPAYLOAD) without building
 * anything, looking at an array's length before its elements; returns the
 * value, copied only if a `__proto__` key had to be renamed.
 */
export function boundValue(value: unknown, type: string): unknown {
  let size = 0;
  let proto = false;
  const add = (n: number) => {
    size += n;
    if (size > MAX_PAYLOAD) throw errPayload(`${type}: the value is larger than ${MAX_PAYLOAD} bytes`);
  };
  const path = new Set<object>(); // a cycle is the encoder's to report, as Go does
  const stack: Array<{ value: unknown } | { leave: object }> = [{ value }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if ('leave' in item) {
      path.delete(item.leave);
      continue;
    }
    const v = item.value;
    add(1);
    if (typeof v === 'string') add(v.length);
    if (typeof v !== 'object' || v === null || path.has(v)) continue;
    if (Array.isArray(v)) {
      add(v.length); // before iterating: a sparse array may claim four billion elements
      path.add(v);
      stack.push({ leave: v });
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i] });
    } else if (isPlainObject(v)) {
      path.add(v);
      stack.push({ leave: v });
      for (const k of Object.keys(v)) {
        add(k.length);
        if (k === '__proto__') proto = true;
        if (k === PROTO_KEY) throw errPayload(`${type}: the map key ${JSON.stringify(k)} is reserved`);
        stack.push({ value: v[k] });
      }
    }
  }
  return proto ? renameProto(value, new Map()) : value;
}

function renameProto(v: unknown, seen: Map<object, unknown>): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const done = seen.get(v);
  if (done !== undefined) return done;
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    seen.set(v, out);
    for (const e of v) out.push(renameProto(e, seen));
    return out;
  }
  if (!isPlainObject(v)) return v;
  const out: Record<string, unknown> = {};
  seen.set(v, out);
  for (const k of Object.keys(v)) out[k === '__proto__' ? PROTO_KEY : k] = renameProto(v[k], seen);
  return out;
}

/**
 * The `[{"Type":…,"Data":…}]` lists of devices.json and network.json. Each
 * element is marshaled on its own first; Go ignored that error, so an element
 * that cannot be marshaled is written with `"Data":null`. The API holds the
 * same lists as `[{ type, value }]`, `type` naming the Go concrete type.
 */
import { z } from 'zod';
import { errDecode, isStoreError } from '../errors.ts';
import { decodeGo } from './go-decode.ts';
import { encodeGo } from './go-encode.ts';
import type { Schema } from './go-schema.ts';
import { encodeString } from './go-string.ts';

export interface TypedEntry<T extends string> {
  type: T;
  value: Record<string, unknown>;
}

/** One member of the API's discriminated union: the Go type's name beside a value of that type. */
export const typedEntry = <T extends string, S extends Schema>(type: T, value: S) =>
  z.object({ type: z.literal(type), value });

export function encodeTyped(type: unknown, schema: Schema, value: unknown): string {
  let data: string;
  try {
    data = encodeGo(schema, value);
  } catch (err) {
    if (!isStoreError(err, 'EMARSHAL')) throw err;
    data = 'null';
  }
  return `{"Type":${encodeString(typeof type === 'string' ? type : '')},"Data":${data}}`;
}

/** json.Unmarshal(raw, &x) of a json.RawMessage member: a missing one (nil) is empty input. */
export function decodeRaw<S extends Schema>(schema: S, raw: unknown): z.output<S> {
  if (raw === undefined) throw errDecode('unexpected end of JSON input');
  return decodeGo(schema, raw);
}

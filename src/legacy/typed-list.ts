/**
 * The `[{"Type":…,"Data":…}]` lists of devices.json and network.json. Each
 * element is marshaled on its own first; Go ignored that error, so an element
 * that cannot be marshaled is written with `"Data":null`.
 */
import type { z } from 'zod';
import { StoreError } from '../errors.ts';
import { decodeGo } from './go-decode.ts';
import { encodeGo } from './go-encode.ts';
import { encodeString } from './go-string.ts';

export interface TypedEntry<T extends string> {
  type: T;
  value: Record<string, unknown>;
}

export function encodeTyped(type: unknown, schema: z.ZodType, value: unknown): string {
  let data: string;
  try {
    data = encodeGo(schema, value);
  } catch (err) {
    if (!(err instanceof StoreError && err.code === 'EMARSHAL')) throw err;
    data = 'null';
  }
  return `{"Type":${encodeString(typeof type === 'string' ? type : '')},"Data":${data}}`;
}

/** json.Unmarshal(raw, &x) of a json.RawMessage member: a missing one (nil) is empty input. */
export function decodeRaw(schema: z.ZodType, raw: unknown): Record<string, unknown> {
  if (raw === undefined) throw new StoreError('EDECODE', 'unexpected end of JSON input');
  return decodeGo(schema, raw) as Record<string, unknown>;
}

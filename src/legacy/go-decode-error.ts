/**
 * json.UnmarshalTypeError texts. Go names the innermost struct and the path of
 * field names from the top ("Go struct field DeviceInfo.DeviceInfo.Major"), or
 * just the type when no struct field is involved.
 */
import { errDecode, type StoreError } from '../errors.ts';
import { JsonNumber } from './json-parse.ts';

/** Where the decoder is: Go's errorContext. */
export interface DecodeContext {
  struct?: string;
  fields: string[];
}

export const rootContext = (): DecodeContext => ({ fields: [] });

/** The JSON kind as Go's errors name it. */
export function jsonKind(json: unknown): string {
  if (typeof json === 'string') return 'string';
  if (typeof json === 'boolean') return 'bool';
  if (typeof json === 'number' || typeof json === 'bigint' || json instanceof JsonNumber) return 'number';
  if (Array.isArray(json)) return 'array';
  return json === null ? 'null' : 'object';
}

/** A JSON object, as jsonKind names it, narrowed for the compiler. */
export function isJsonObject(json: unknown): json is object {
  return typeof json === 'object' && jsonKind(json) === 'object';
}

/** The literal text of a JSON number, whichever way it was parsed. */
export function numberText(json: unknown): string {
  if (json instanceof JsonNumber) return json.text;
  return Object.is(json, -0) ? '-0' : String(json);
}

export function typeError(value: string, goType: string, ctx: DecodeContext): StoreError {
  const into =
    ctx.struct !== undefined
      ? `Go struct field ${ctx.struct}.${ctx.fields.join('.')} of type ${goType}`
      : `Go value of type ${goType}`;
  return errDecode(`json: cannot unmarshal ${value} into ${into}`);
}

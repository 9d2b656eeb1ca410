import { isPlainObject } from '../legacy/json-parse.ts';

/** One field that differs between two JSON values; `field` is `Annotations.team`, `Mounts[0].Source`, or '' for the whole value. */
export interface FieldChange {
  field: string;
  change: 'added' | 'removed' | 'changed';
  from?: unknown;
  to?: unknown;
}

/** The fields that differ, depth first, in the order they appear (old value's order, then new fields). */
export function diffJson(from: unknown, to: unknown, at = '', out: FieldChange[] = []): FieldChange[] {
  if (isPlainObject(from) && isPlainObject(to)) {
    for (const [key, value] of Object.entries(from)) {
      const field = at === '' ? key : `${at}.${key}`;
      if (!Object.hasOwn(to, key)) out.push({ field, change: 'removed', from: value });
      else diffJson(value, to[key], field, out);
    }
    for (const [key, value] of Object.entries(to)) {
      if (!Object.hasOwn(from, key)) out.push({ field: at === '' ? key : `${at}.${key}`, change: 'added', to: value });
    }
  } else if (Array.isArray(from) && Array.isArray(to)) {
    for (let i = 0; i < Math.max(from.length, to.length); i++) {
      const field = `${at}[${i}]`;
      if (i >= to.length) out.push({ field, change: 'removed', from: from[i] });
      else if (i >= from.length) out.push({ field, change: 'added', to: to[i] });
      else diffJson(from[i], to[i], field, out);
    }
  } else if (!Object.is(from, to)) {
    out.push({ field: at, change: 'changed', from, to });
  }
  return out;
}

/**
 * JSON text of a parsed legacy value. JSON.stringify cannot write the bigints
 * that hold integers past 2^53, and rounding them would misreport a change.
 */
export function jsonText(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  if (isPlainObject(value)) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

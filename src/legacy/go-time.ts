/**
 * time.Time as Go 1.19 wrote and read it: MarshalJSON writes RFC3339Nano
 * (fraction trailing zeros dropped, `Z` for a zero offset) and refuses years
 * outside 0-9999; UnmarshalJSON is time.Parse with the RFC3339 layout.
 */
import { z } from 'zod';
import { errDecode, errMarshal } from '../errors.ts';
import { withGo } from './go-schema.ts';
import { daysIn, parseRfc3339, type WallTime } from './go-time-parse.ts';

export type { WallTime } from './go-time-parse.ts';

export const ZERO_TIME = '0001-01-01T00:00:00Z';

const pad = (n: number, width: number) => String(Math.abs(n)).padStart(width, '0');

/** RFC3339Nano as Go's Time.Format writes it (the year is not range-checked here). */
export function formatTime(t: WallTime): string {
  const year = (t.year < 0 ? '-' : '') + pad(t.year, 4);
  const fraction = t.fraction.replace(/0+$/, '');
  const date = `${year}-${pad(t.month, 2)}-${pad(t.day, 2)}`;
  const clock = `${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}${fraction ? `.${fraction}` : ''}`;
  return `${date}T${clock}${formatOffset(t.offset)}`;
}

function formatOffset(minutes: number): string {
  if (minutes === 0) return 'Z';
  const sign = minutes < 0 ? '-' : '+';
  return `${sign}${pad(Math.trunc(Math.abs(minutes) / 60), 2)}:${pad(Math.abs(minutes) % 60, 2)}`;
}

const API_TIME = /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|([+-])(\d{2,}):(\d{2}))$/;

/** An API time: an RFC 3339 string (any year width, `Z` or ±hh:mm) or a Date. Null when invalid. */
export function parseApiTime(value: unknown): WallTime | null {
  if (value instanceof Date) return fromDate(value);
  if (typeof value !== 'string') return null;
  const m = API_TIME.exec(value);
  if (!m) return null;
  // groups 1-6 are not optional in API_TIME: the defaults are never used
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map(Number);
  const offset = m[8] ? (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10])) : 0;
  const t: WallTime = { year, month, day, hour, minute, second, fraction: m[7] ?? '', offset };
  const valid =
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysIn(year, month) &&
    hour < 24 &&
    minute < 60 &&
    second < 60 &&
    Number(m[10] ?? 0) < 60;
  return valid ? t : null;
}

function fromDate(d: Date): WallTime | null {
  if (Number.isNaN(d.getTime())) return null;
  const fraction = String(d.getUTCMilliseconds()).padStart(3, '0');
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    fraction,
    offset: 0,
  };
}

/** What Time.MarshalJSON writes for an API time, or the EMARSHAL error it returns. */
export function marshalTime(value: unknown): string {
  const t = parseApiTime(value);
  if (!t) throw errMarshal(`json: error calling MarshalJSON for type time.Time: invalid time ${String(value)}`);
  if (t.year < 0 || t.year > 9999) {
    throw errMarshal(
      'json: error calling MarshalJSON for type time.Time: Time.MarshalJSON: year outside of range [0,9999]',
    );
  }
  return formatTime(t);
}

/** Time.UnmarshalJSON of a JSON string: the normalized time, or EDECODE with Go's parse error. */
export function unmarshalTime(raw: string): string {
  const result = parseRfc3339(raw);
  if (typeof result === 'string') throw errDecode(result);
  return formatTime(result);
}

/**
 * A time.Time field: accepts an RFC 3339 string or a Date and normalizes it the
 * way Go would write it. An out-of-range year passes here and fails at encode
 * time, as it did in Go (json.Marshal, after the file was truncated).
 */
export function goTime() {
  const schema = z.unknown().transform((value, ctx) => {
    const t = parseApiTime(value);
    if (t) return formatTime(t);
    const got = typeof value === 'string' ? JSON.stringify(value) : value === null ? 'null' : typeof value;
    ctx.issues.push({ code: 'custom', input: value, message: `expected an RFC 3339 time or a Date, got ${got}` });
    return z.NEVER;
  });
  return withGo(schema, { kind: 'time', name: 'time.Time' });
}

/**
 * time.Parse(`"`+time.RFC3339+`"`, data) as Go 1.19 ran it inside
 * Time.UnmarshalJSON, quirks included (a one-digit hour is accepted, offsets
 * are not range-checked, fraction digits past nine are dropped), with the same
 * error texts.
 */
import { quoteTime } from './go-quote.ts';

const LAYOUT = '"2006-01-02T15:04:05Z07:00"';
const CHUNKS: Array<[prefix: string, std: string]> = [
  ['"', '2006'],
  ['-', '01'],
  ['-', '02'],
  ['T', '15'],
  [':', '04'],
  [':', '05'],
  ['', 'Z07:00'],
  ['"', ''],
];

/** A broken-down time with its own offset, as time.Time keeps it. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0-9 digits, as given */
  fraction: string;
  /** minutes east of UTC */
  offset: number;
}

type Fields = WallTime & { failed: boolean; range: string };

const isDigit = (s: string, i: number) => {
  const c = s[i];
  return c !== undefined && c >= '0' && c <= '9';
};

/** Go's getnum: one or two digits (exactly two when fixed). */
function getnum(s: string, fixed: boolean): [number, string, boolean] {
  if (!isDigit(s, 0)) return [0, s, false];
  if (!isDigit(s, 1)) return fixed ? [0, s, false] : [Number(s[0]), s.slice(1), true];
  return [Number(s.slice(0, 2)), s.slice(2), true];
}

/** Parse a raw JSON value (quotes included) as a time, or return Go's error text. */
export function parseRfc3339(raw: string): WallTime | string {
  const f: Fields = {
    year: 0,
    month: 1,
    day: 1,
    hour: 0,
    minute: 0,
    second: 0,
    fraction: '',
    offset: 0,
    failed: false,
    range: '',
  };
  let value = raw;
  const cannot = (v: string, elem: string) =>
    `parsing time ${quoteTime(raw)} as ${quoteTime(LAYOUT)}: cannot parse ${quoteTime(v)} as ${quoteTime(elem)}`;
  for (const [prefix, std] of CHUNKS) {
    if (prefix && !value.startsWith(prefix)) return cannot(value, prefix);
    value = value.slice(prefix.length);
    if (!std) break;
    const hold = value;
    f.failed = false;
    value = parseStd(std, value, f);
    if (f.range) return `parsing time ${quoteTime(raw)}: ${f.range} out of range`;
    if (f.failed) return cannot(hold, std);
  }
  if (value) return `parsing time ${quoteTime(raw)}: extra text: ${quoteTime(value)}`;
  if (f.day < 1 || f.day > daysIn(f.year, f.month)) return `parsing time ${quoteTime(raw)}: day out of range`;
  return f;
}

function parseStd(std: string, value: string, f: Fields): string {
  let ok: boolean;
  switch (std) {
    case '2006':
      if (value.length < 4 || !/^\d{4}/.test(value)) {
        f.failed = true;
        return value;
      }
      f.year = Number(value.slice(0, 4));
      return value.slice(4);
    case '01':
      [f.month, value, ok] = getnum(value, true);
      if (ok && (f.month <= 0 || f.month > 12)) f.range = 'month';
      break;
    case '02':
      [f.day, value, ok] = getnum(value, true);
      break;
    case '15':
      [f.hour, value, ok] = getnum(value, false);
      if (f.hour >= 24) f.range = 'hour';
      break;
    case '04':
      [f.minute, value, ok] = getnum(value, true);
      if (f.minute >= 60) f.range = 'minute';
      break;
    case '05':
      return parseSeconds(value, f);
    default:
      return parseZone(value, f);
  }
  f.failed = !ok;
  return value;
}

function parseSeconds(value: string, f: Fields): string {
  let ok: boolean;
  [f.second, value, ok] = getnum(value, true);
  if (f.second >= 60) {
    f.range = 'second';
    return value;
  }
  // a fraction the layout does not name is still read (and replaces getnum's error, as in Go)
  if (value.length >= 2 && (value[0] === '.' || value[0] === ',') && isDigit(value, 1)) {
    let n = 2;
    while (isDigit(value, n)) n++;
    f.fraction = value.slice(1, Math.min(n, 10));
    f.failed = false;
    return value.slice(n);
  }
  f.failed = !ok;
  return value;
}

function parseZone(value: string, f: Fields): string {
  if (value.startsWith('Z')) return value.slice(1);
  if (value.length < 6 || value[3] !== ':') {
    f.failed = true;
    return value;
  }
  const [hr, , okH] = getnum(value.slice(1, 3), true);
  const [mm, , okM] = getnum(value.slice(4, 6), true);
  const sign = value[0] === '-' ? -1 : 1;
  f.failed = !okH || !okM || (value[0] !== '+' && value[0] !== '-');
  f.offset = sign * (hr * 60 + mm);
  return value.slice(6);
}

export function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

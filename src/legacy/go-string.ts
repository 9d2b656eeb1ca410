/**
 * Strings and map-key order as Go's encoding/json writes them (HTML-safe,
 * Go 1.8-1.21 escapes), and its number text.
 */
import { errMarshal } from '../errors.ts';

const SHORT: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

// control chars, quote, backslash, HTML-sensitive chars, U+2028/9 and lone surrogates
const NEEDS_ESCAPE =
  // eslint-disable-next-line no-control-regex -- Go escapes the control characters, so the pattern names them
  /[\u0000-\u001f"\\<>&\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function escapeChar(ch: string): string {
  const short = SHORT[ch];
  if (short !== undefined) return short;
  // Go writes invalid UTF-8 as the escape text \ufffd; a JS lone surrogate is the same thing
  if (ch >= '\ud800' && ch <= '\udfff') return '\\ufffd';
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** A JSON string literal exactly as Go's encodeState.string writes it (escapeHTML on). */
export function encodeString(s: string): string {
  return `"${s.replace(NEEDS_ESCAPE, escapeChar)}"`;
}

/** Code point order, which is UTF-8 byte order (a lone surrogate counts as U+FFFD, as Go writes it). */
export function compareUtf8(a: string, b: string): number {
  const ai = a[Symbol.iterator]();
  const bi = b[Symbol.iterator]();
  for (;;) {
    const x = ai.next();
    const y = bi.next();
    if (x.done || y.done) return (x.done ? 0 : 1) - (y.done ? 0 : 1);
    const d = codePoint(x.value) - codePoint(y.value);
    if (d !== 0) return d;
  }
}

function codePoint(ch: string): number {
  const cp = ch.codePointAt(0) ?? 0;
  return cp >= 0xd800 && cp <= 0xdfff ? 0xfffd : cp;
}

/**
 * A float64 as Go writes it: ES6 shortest form, the same thresholds as
 * String(n) (1e21 and 1e-7 switch to exponents), but `-0` stays `-0`.
 */
export function encodeNumber(n: number | bigint): string {
  if (typeof n === 'bigint') return n.toString();
  if (Number.isNaN(n)) throw errMarshal('json: unsupported value: NaN');
  if (!Number.isFinite(n)) throw errMarshal(`json: unsupported value: ${n > 0 ? '+Inf' : '-Inf'}`);
  return Object.is(n, -0) ? '-0' : String(n);
}

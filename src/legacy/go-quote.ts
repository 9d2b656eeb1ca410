/**
 * Go's ways of quoting text inside error messages, so that decode errors read
 * like the legacy ones.
 */

/** The first UTF-8 byte of a code point: Go's scanner reports bytes, not runes. */
function firstUtf8Byte(cp: number): number {
  if (cp < 0x80) return cp;
  if (cp < 0x800) return 0xc0 | (cp >> 6);
  if (cp < 0x10000) return 0xe0 | (cp >> 12);
  return 0xf0 | (cp >> 18);
}

const SHORT: Record<number, string> = { 7: 'a', 8: 'b', 9: 't', 10: 'n', 11: 'v', 12: 'f', 13: 'r' };
const hex2 = (n: number) => n.toString(16).padStart(2, '0');

/**
 * encoding/json's quoteChar: the offending byte, shown as strconv.Quote shows
 * the rune of the same value (a UTF-8 BOM shows as 'ï').
 */
export function quoteByte(codePoint: number): string {
  const b = firstUtf8Byte(codePoint);
  if (b === 0x27) return `'\\''`;
  if (b === 0x22) return `'"'`;
  const short = SHORT[b];
  if (short !== undefined) return `'\\${short}'`;
  if (b < 0x20 || b === 0x7f) return `'\\x${hex2(b)}'`;
  // C1 controls, NBSP and the soft hyphen are not printable for strconv
  if ((b >= 0x80 && b <= 0xa0) || b === 0xad) return `'\\u00${hex2(b)}'`;
  return `'${String.fromCharCode(b)}'`;
}

/** The time package's quote: ASCII as is (`"` and `\` escaped), other bytes as \xNN. */
export function quoteTime(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp >= 0x80 || cp < 0x20) {
      for (const byte of Buffer.from(ch, 'utf8')) out += `\\x${hex2(byte)}`;
    } else {
      out += ch === '"' || ch === '\\' ? `\\${ch}` : ch;
    }
  }
  return `${out}"`;
}

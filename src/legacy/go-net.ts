/**
 * The byte-slice types of package net as encoding/json sees them: net.IP goes
 * through ParseIP/String (text), net.IPMask and net.HardwareAddr are plain
 * []byte (base64). Go kept bytes, so the text it wrote back is canonical.
 */

type Quad = [number, number, number, number];

/** Go 1.19 parseIPv4: four decimal fields, no leading zeros. */
function parseIPv4(s: string): Quad | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const bytes = parts.map((p) => (/^(0|[1-9]\d{0,2})$/.test(p) ? Number(p) : 256));
  if (!bytes.every((b) => b <= 255)) return null;
  const [a = 0, b = 0, c = 0, d = 0] = bytes; // four parts, checked above: the defaults are never used
  return [a, b, c, d];
}

/** Go 1.19 parseIPv6, including a trailing dotted quad and one `::`. */
function parseIPv6(s: string): number[] | null {
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = halves.map((h) => (h === '' ? [] : h.split(':')));
  const words: number[][] = [];
  for (const [i, half] of groups.entries()) {
    const out: number[] = [];
    for (const [j, g] of half.entries()) {
      const last = i === groups.length - 1 && j === half.length - 1;
      const v4 = last && g.includes('.') ? parseIPv4(g) : null;
      if (v4) out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      else if (/^[0-9a-fA-F]+$/.test(g) && Number.parseInt(g, 16) <= 0xffff) out.push(Number.parseInt(g, 16));
      else return null;
    }
    words.push(out);
  }
  const used = words.reduce((n, w) => n + w.length, 0);
  const [head = [], tail] = words; // one half, or two around the `::`
  if (tail === undefined) return used === 8 ? toBytes(head) : null;
  if (used > 7) return null; // `::` must stand for at least one zero group
  return toBytes([...head, ...Array<number>(8 - used).fill(0), ...tail]);
}

const toBytes = (words: number[]) => words.flatMap((w) => [w >> 8, w & 0xff]);

/** net.ParseIP: 16 bytes, or null when Go would return nil. */
export function parseIP(s: string): number[] | null {
  const sep = /[.:]/.exec(s);
  if (!sep) return null;
  if (sep[0] === ':') return parseIPv6(s);
  const v4 = parseIPv4(s);
  return v4 ? [...Array<number>(10).fill(0), 0xff, 0xff, ...v4] : null;
}

/** net.IP.String for 16 bytes: dotted quad for IPv4-mapped, else RFC 5952 text. */
export function formatIP(b: number[]): string {
  if (b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return b.slice(12).join('.');
  // parseIP gives 16 bytes; a missing one would read as 0, as `undefined << 8` does
  const words = Array.from({ length: 8 }, (_, i) => ((b[2 * i] ?? 0) << 8) | (b[2 * i + 1] ?? 0));
  let [start, end] = [-1, -1];
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > end - start) [start, end] = [i, j];
    i = j > i ? j : i + 1;
  }
  if (end - start < 2) return words.map((w) => w.toString(16)).join(':');
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  return `${hex(words.slice(0, start))}::${hex(words.slice(end))}`;
}

/** What UnmarshalText then MarshalText of a net.IP gives, or null for an invalid address. */
export function canonicalIP(s: string): string | null {
  if (s === '') return '';
  const bytes = parseIP(s);
  return bytes ? formatIP(bytes) : null;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** base64.StdEncoding.DecodeString then EncodeToString (newlines are skipped), or null. */
export function canonicalBase64(s: string): string | null {
  const text = s.replace(/[\r\n]/g, '');
  return BASE64.test(text) ? Buffer.from(text, 'base64').toString('base64') : null;
}

/** Go's CorruptInputError position, roughly: the first byte that breaks the encoding. */
export function base64ErrorOffset(s: string): number {
  const bad = /[^A-Za-z0-9+/=\r\n]/.exec(s);
  return bad ? bad.index : s.length;
}

/**
 * The exact text of a top-level member of a JSON object, as written. The
 * fixtures embed Go's bytes verbatim, and JSON.parse would lose them
 * (big integers, -0, key order of duplicates, escapes).
 */

/** Index just past the JSON value starting at `i` (whitespace before it skipped). */
function skipValue(text: string, i: number): number {
  i = skipWs(text, i);
  const c = text[i];
  if (c === '"') {
    for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++;
    return i + 1;
  }
  if (c === '{' || c === '[') {
    let depth = 0;
    for (; i < text.length; i++) {
      const ch = text[i];
      if (ch === '"') i = skipValue(text, i) - 1;
      else if (ch === '{' || ch === '[') depth++;
      else if ((ch === '}' || ch === ']') && --depth === 0) return i + 1;
    }
    throw new Error('unterminated JSON value');
  }
  const end = /[,}\]\s]|$/.exec(text.slice(i));
  return i + (end?.index ?? 0);
}

const skipWs = (text: string, i: number) => {
  while (/\s/.test(text[i] ?? '')) i++;
  return i;
};

/** The raw text of `name` in the object `text`, or undefined when absent. */
export function rawMember(text: string, name: string): string | undefined {
  let i = skipWs(text, 0);
  if (text[i] !== '{') throw new Error('not a JSON object');
  i++;
  for (;;) {
    i = skipWs(text, i);
    if (text[i] === '}') return undefined;
    const keyEnd = skipValue(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    const valueStart = skipWs(text, skipWs(text, keyEnd) + 1);
    const valueEnd = skipValue(text, valueStart);
    if (key === name) return text.slice(valueStart, valueEnd);
    i = skipWs(text, valueEnd);
    if (text[i] === ',') i++;
  }
}

/** The op lines of a fixture ops.json (one op per line inside a JSON array). */
export function opLines(fileText: string): string[] {
  return fileText
    .split('\n')
    .map((line) => line.trim().replace(/,$/, ''))
    .filter((line) => line.startsWith('{'));
}

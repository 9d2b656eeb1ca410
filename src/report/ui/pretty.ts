import { parseJson } from '../../legacy/json-parse.ts';

/**
 * Valid JSON text laid out over lines, two spaces a level. Tokens are copied
 * as they are (a number as written, a string with its escapes), so nothing is
 * rounded or unescaped: only white space changes. Undefined when the text is
 * not JSON (an empty lock, a torn file).
 */
export function prettyJson(text: string): string | undefined {
  try {
    parseJson(text);
  } catch {
    return undefined;
  }
  const out: string[] = [];
  let depth = 0;
  const newline = () => out.push('\n', '  '.repeat(depth));
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '"') {
      const end = stringEnd(text, i);
      out.push(text.slice(i, end));
      i = end - 1;
    } else if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      const next = nextToken(text, i + 1);
      if (text.charAt(next) === close) {
        out.push(c, close);
        i = next;
      } else {
        depth++;
        out.push(c);
        newline();
      }
    } else if (c === '}' || c === ']') {
      depth--;
      newline();
      out.push(c);
    } else if (c === ',') {
      out.push(c);
      newline();
    } else if (c === ':') out.push(': ');
    else if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') out.push(c);
  }
  return out.join('');
}

/** Just past the closing quote of the string that opens at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text.charAt(i) !== '"') i += text.charAt(i) === '\\' ? 2 : 1;
  return i + 1;
}

function nextToken(text: string, from: number): number {
  let i = from;
  while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i++;
  return i;
}

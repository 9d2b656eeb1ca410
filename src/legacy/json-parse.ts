/**
 * A lossless JSON parser with Go's encoding/json syntax errors.
 *
 * JSON.parse cannot be used for legacy files: it rounds integers past 2^53,
 * it turns `-0` into 0 and its error texts differ from the Go ones that the
 * legacy code returned.
 */
import { errDecode } from '../errors.ts';
import { quoteByte } from './go-quote.ts';

/** A number kept as its literal text, so the decoder can apply Go's int/float rules. */
export class JsonNumber {
  constructor(readonly text: string) {}
}

export interface ParseOptions {
  /** `value` (default): number, or bigint past the safe range; `literal`: JsonNumber. */
  numbers?: 'value' | 'literal';
}

// Objects that held a duplicate key, with every member in file order. Go applies
// each duplicate in turn (which matters with case-insensitive field matching).
const allEntries = new WeakMap<object, Array<[string, unknown]>>();

/** The members of a parsed object in file order, duplicates included. */
export function objectEntries(obj: object): Array<[string, unknown]> {
  return allEntries.get(obj) ?? Object.entries(obj);
}

/** An object JSON could have produced: no class instances (Date, Map, Buffer…). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Set an own enumerable property, even `__proto__`. */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

export function parseJson(text: string, options: ParseOptions = {}): unknown {
  return new Parser(text, options.numbers === 'literal').parseTop();
}

// Go's scanner allows 10000; a recursive JS parser (and decoder) cannot go that deep safely
const MAX_DEPTH = 1000;
const isDigit = (c: string) => c >= '0' && c <= '9';
const WS = new Set([' ', '\t', '\n', '\r']);
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly literalNumbers: boolean,
  ) {}

  parseTop(): unknown {
    this.skipWs();
    const value = this.value();
    this.skipWs();
    if (this.pos < this.text.length) this.fail('after top-level value');
    return value;
  }

  private value(): unknown {
    const c = this.peek();
    if (c === '{' || c === '[') return this.nested(c);
    if (c === '"') return this.string();
    if (c === '-' || isDigit(c)) return this.number();
    if (c === 't') return this.literal('true', true);
    if (c === 'f') return this.literal('false', false);
    if (c === 'n') return this.literal('null', null);
    return this.fail('looking for beginning of value');
  }

  private nested(c: string): unknown {
    if (++this.depth > MAX_DEPTH) throw errDecode('exceeded max depth');
    const value = c === '{' ? this.object() : this.array();
    this.depth--;
    return value;
  }

  private object(): Record<string, unknown> {
    const obj: Record<string, unknown> = {};
    const entries: Array<[string, unknown]> = [];
    let duplicated = false;
    if (this.opensEmpty('}')) return obj;
    do {
      if (this.peek() !== '"') this.fail('looking for beginning of object key string');
      const key = this.string();
      this.skipWs();
      if (this.peek() !== ':') this.fail('after object key');
      this.pos++;
      this.skipWs();
      const value = this.value();
      if (Object.hasOwn(obj, key)) duplicated = true;
      setOwn(obj, key, value);
      entries.push([key, value]);
    } while (!this.closes('}', 'after object key:value pair'));
    if (duplicated) allEntries.set(obj, entries);
    return obj;
  }

  private array(): unknown[] {
    const arr: unknown[] = [];
    if (this.opensEmpty(']')) return arr;
    do arr.push(this.value());
    while (!this.closes(']', 'after array element'));
    return arr;
  }

  /** Steps past `{` or `[`; true when the value closes at once (`{}`, `[]`). */
  private opensEmpty(close: string): boolean {
    this.pos++;
    this.skipWs();
    if (this.peek() !== close) return false;
    this.pos++;
    return true;
  }

  /** Steps past what follows a member or element: true at the closing bracket, false at a comma. */
  private closes(close: string, context: string): boolean {
    this.skipWs();
    const next = this.peek();
    if (next !== ',' && next !== close) this.fail(context);
    this.pos++;
    if (next === close) return true;
    this.skipWs();
    return false;
  }

  private string(): string {
    let out = '';
    let start = ++this.pos;
    for (;;) {
      const c = this.peek();
      if (c === '"') break;
      if (c < ' ') this.fail('in string literal');
      if (c !== '\\') {
        this.pos++;
        continue;
      }
      out += this.text.slice(start, this.pos);
      out += this.escape();
      start = this.pos;
    }
    out += this.text.slice(start, this.pos);
    this.pos++;
    return out;
  }

  /** One escape sequence; lone UTF-16 surrogates become U+FFFD as in Go. */
  private escape(): string {
    this.pos++;
    const c = this.at();
    if (c !== 'u') {
      const escaped = ESCAPES[c];
      if (escaped === undefined) return this.failInToken('in string escape code');
      this.pos++;
      return escaped;
    }
    const unit = this.hex4();
    if (unit < 0xd800 || unit > 0xdfff) return String.fromCharCode(unit);
    const low = /^\\u([dD][c-fC-F][0-9a-fA-F]{2})/.exec(this.text.slice(this.pos, this.pos + 6))?.[1];
    if (unit >= 0xdc00 || low === undefined) return '\ufffd';
    this.pos += 6;
    return String.fromCharCode(unit, Number.parseInt(low, 16));
  }

  private hex4(): number {
    this.pos++;
    for (let i = 0; i < 4; i++) {
      if (!/[0-9a-fA-F]/.test(this.at())) this.failInToken('in \\u hexadecimal character escape');
      this.pos++;
    }
    return Number.parseInt(this.text.slice(this.pos - 4, this.pos), 16);
  }

  private number(): unknown {
    const start = this.pos;
    if (this.at() === '-') this.pos++;
    if (this.at() === '0') this.pos++;
    else this.digits('in numeric literal');
    if (this.at() === '.') {
      this.pos++;
      this.digits('after decimal point in numeric literal');
    }
    if (this.at() === 'e' || this.at() === 'E') {
      this.pos++;
      if (this.at() === '+' || this.at() === '-') this.pos++;
      this.digits('in exponent of numeric literal');
    }
    return this.numberValue(this.text.slice(start, this.pos));
  }

  private digits(context: string): void {
    if (!isDigit(this.at())) this.failInToken(context);
    while (isDigit(this.at())) this.pos++;
  }

  private numberValue(literal: string): unknown {
    if (this.literalNumbers) return new JsonNumber(literal);
    const n = Number(literal);
    if (/^-?\d+$/.test(literal) && !Number.isSafeInteger(n)) return BigInt(literal);
    return n;
  }

  private literal(word: string, value: unknown): unknown {
    for (let i = 0; i < word.length; i++) {
      if (this.at() !== word[i]) this.failInToken(`in literal ${word} (expecting '${word[i]}')`);
      this.pos++;
    }
    return value;
  }

  /** The current character, or '' at the end (where a value may legally end). */
  private at(): string {
    return this.text[this.pos] ?? '';
  }

  private peek(): string {
    const c = this.text[this.pos];
    if (c === undefined) throw errDecode('unexpected end of JSON input');
    return c;
  }

  private skipWs(): void {
    while (WS.has(this.at())) this.pos++;
  }

  /**
   * A failure inside a literal, a number or an escape. At the end of the input Go's scanner does not say
   * "unexpected end": it feeds one space to finish the last token, and that space is what it reports.
   */
  private failInToken(context: string): never {
    if (this.pos >= this.text.length) throw errDecode(`invalid character ' ' ${context}`, { offset: this.pos });
    return this.fail(context);
  }

  private fail(context: string): never {
    if (this.pos >= this.text.length) throw errDecode('unexpected end of JSON input');
    const ch = quoteByte(this.text.codePointAt(this.pos) ?? 0);
    throw errDecode(`invalid character ${ch} ${context}`, { offset: this.pos });
  }
}
